package emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.http.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The emulated org's data model, read from a small JSON file (see emulator/schema.json). Each
 * object gets Salesforce's system fields; {@code "type":"address"} entries expand into their
 * components (BillingStreet, BillingCity, ...) and {@code "type":"personname"} into the Name
 * compound (Salutation, FirstName, LastName, ...).
 */
public final class Schema {
    private static final String[][] ADDRESS = {
            {"Street", "textarea", "255"}, {"City", "string", "40"}, {"State", "string", "80"},
            {"PostalCode", "string", "20"}, {"Country", "string", "80"}, {"Latitude", "double", "0"},
            {"Longitude", "double", "0"}, {"GeocodeAccuracy", "picklist", "40"}};
    private static final List<String> GEOCODE_ACCURACY = List.of("Address", "NearAddress", "Block", "Street",
            "ExtendedZip", "Zip", "Neighborhood", "City", "County", "State", "Unknown");

    private final Map<String, ObjectDef> byLowerName = new LinkedHashMap<>();
    private final Map<String, ObjectDef> byPrefix = new LinkedHashMap<>();

    public Schema(Collection<ObjectDef> objects) {
        for (ObjectDef o : objects) {
            byLowerName.put(o.name().toLowerCase(Locale.ROOT), o);
            byPrefix.put(o.keyPrefix(), o);
        }
    }

    public static Schema defaultSchema() {
        try (InputStream in = Schema.class.getResourceAsStream("/emulator/schema.json")) {
            if (in == null) {
                throw new IllegalStateException("emulator/schema.json is missing from the classpath");
            }
            return parse(in.readAllBytes(), "classpath:emulator/schema.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Schema load(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read emulator schema " + file, e);
        }
    }

    public static Schema parse(byte[] json, String where) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("Emulator schema " + where + " is not valid JSON: " + e.getMessage(), e);
        }
        List<ObjectDef> objects = new ArrayList<>();
        for (JsonNode o : root.path("objects")) {
            objects.add(object(o, where));
        }
        if (objects.isEmpty()) {
            throw new IllegalArgumentException("Emulator schema " + where + " declares no objects");
        }
        return new Schema(objects);
    }

    private static ObjectDef object(JsonNode o, String where) {
        String name = required(o, "name", where);
        String prefix = required(o, "keyPrefix", where);
        if (prefix.length() != 3) {
            throw new IllegalArgumentException("Emulator schema " + where + ": object " + name + " keyPrefix must have 3 characters");
        }
        boolean custom = name.endsWith("__c");
        List<FieldDef> fields = new ArrayList<>();
        fields.add(system("Id", "Record ID", "id", 18, false, List.of()));
        boolean hasOwner = !o.path("noOwner").asBoolean(false);
        if (hasOwner) {
            fields.add(new FieldDef("OwnerId", "Owner ID", "reference", 18, 0, 0, 0, false, true, true, false, false,
                    false, false, true, false, List.of("User"), "Owner", List.of(), false, null, null, null));
        }
        fields.add(system("IsDeleted", "Deleted", "boolean", 0, false, List.of()));
        for (JsonNode f : o.path("fields")) {
            String fname = required(f, "name", where + " object " + name);
            String type = f.path("type").asText("string");
            if (type.equals("address")) {
                String prefixName = f.path("prefix").asText(fname.replace("Address", ""));
                fields.add(new FieldDef(fname, f.path("label").asText(fname), "address", 0, 0, 0, 0, true, false, false,
                        false, false, false, false, false, false, List.of(), null, List.of(), false, null, null, null));
                for (String[] c : ADDRESS) {
                    String cname = prefixName + c[0];
                    boolean number = c[1].equals("double");
                    fields.add(new FieldDef(cname, cname, c[1], Integer.parseInt(c[2]), number ? 18 : 0, number ? 15 : 0, 0,
                            true, true, true, false, false, false, false, false, false, List.of(), null,
                            c[0].equals("GeocodeAccuracy") ? GEOCODE_ACCURACY : List.of(), false, fname, c[0], null));
                }
            } else if (type.equals("personname")) {
                fields.add(new FieldDef(fname, "Full Name", "string", 121, 0, 0, 0, false, false, false, false, false,
                        false, true, false, true, List.of(), null, List.of(), false, null, null, null));
                fields.add(component("Salutation", "picklist", 40, true, fname,
                        List.of("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")));
                fields.add(component("FirstName", "string", 40, true, fname, List.of()));
                fields.add(component("MiddleName", "string", 40, true, fname, List.of()));
                fields.add(component("LastName", "string", 80, false, fname, List.of()));
                fields.add(component("Suffix", "string", 40, true, fname, List.of()));
            } else {
                fields.add(field(f, fname, type, name.endsWith("__c") || fname.endsWith("__c")));
            }
        }
        fields.add(system("CreatedDate", "Created Date", "datetime", 0, false, List.of()));
        fields.add(system("CreatedById", "Created By ID", "reference", 18, false, List.of("User")));
        fields.add(system("LastModifiedDate", "Last Modified Date", "datetime", 0, false, List.of()));
        fields.add(system("LastModifiedById", "Last Modified By ID", "reference", 18, false, List.of("User")));
        fields.add(system("SystemModstamp", "System Modstamp", "datetime", 0, false, List.of()));
        return new ObjectDef(name, o.path("label").asText(name), o.path("labelPlural").asText(name + "s"), prefix,
                custom, fields);
    }

    private static FieldDef field(JsonNode f, String name, String type, boolean custom) {
        List<String> values = new ArrayList<>();
        f.path("values").forEach(v -> values.add(v.asText()));
        List<String> refs = new ArrayList<>();
        f.path("referenceTo").forEach(v -> refs.add(v.asText()));
        int defaultLength = switch (type) {
            case "string", "url", "picklist" -> 255;
            case "textarea" -> 32768;
            case "multipicklist" -> 4099;
            case "email" -> 80;
            case "phone" -> 40;
            case "reference" -> 18;
            default -> 0;
        };
        boolean numeric = type.equals("double") || type.equals("currency") || type.equals("percent");
        boolean bool = type.equals("boolean");
        String relationship = null;
        if (type.equals("reference")) {
            relationship = name.endsWith("__c") ? name.substring(0, name.length() - 1) + "r"
                    : name.endsWith("Id") ? name.substring(0, name.length() - 2) : name;
        }
        JsonNode dv = f.get("default");
        Object defaultValue = dv == null || dv.isNull() ? (bool ? Boolean.FALSE : null)
                : dv.isBoolean() ? dv.asBoolean() : dv.isNumber() ? dv.decimalValue() : dv.asText();
        return new FieldDef(name, f.path("label").asText(name), type, f.path("length").asInt(defaultLength),
                f.path("precision").asInt(numeric ? 18 : 0), f.path("scale").asInt(numeric ? 2 : 0),
                f.path("digits").asInt(type.equals("int") ? 9 : 0),
                !bool && f.path("nillable").asBoolean(true), f.path("createable").asBoolean(true),
                f.path("updateable").asBoolean(true), f.path("externalId").asBoolean(false),
                f.path("unique").asBoolean(false), custom, f.path("nameField").asBoolean(false),
                bool || defaultValue != null, false, refs, relationship, values,
                f.path("restricted").asBoolean(false), null, null, defaultValue);
    }

    private static FieldDef component(String name, String type, int length, boolean nillable, String compound, List<String> values) {
        return new FieldDef(name, name, type, length, 0, 0, 0, nillable, true, true, false, false, false, false, false,
                false, List.of(), null, values, false, compound, name, null);
    }

    private static FieldDef system(String name, String label, String type, int length, boolean nillable, List<String> refs) {
        String relationship = type.equals("reference") ? name.substring(0, name.length() - 2) : null;
        return new FieldDef(name, label, type, length, 0, 0, 0, nillable, false, false, false, false, false, false,
                !name.equals("Id"), false, refs, relationship, List.of(), false, null, null, null);
    }

    private static String required(JsonNode node, String key, String where) {
        String v = node.path(key).asText(null);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("Emulator schema " + where + ": missing '" + key + "' in " + node);
        }
        return v;
    }

    /** Object by API name, case-insensitively, or null. */
    public ObjectDef object(String name) {
        return name == null ? null : byLowerName.get(name.toLowerCase(Locale.ROOT));
    }

    public ObjectDef objectForId(String id) {
        return id == null || id.length() < 3 ? null : byPrefix.get(id.substring(0, 3));
    }

    public Collection<ObjectDef> objects() {
        return byLowerName.values();
    }
}
