package emulator.rest;

import emulator.http.ApiException;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.Values;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders stored records as REST JSON: attributes, +0000 datetimes, nested compound fields. */
final class Records {
    private static final String[][] ADDRESS_KEYS = {
            {"Street", "street"}, {"City", "city"}, {"State", "state"}, {"PostalCode", "postalCode"},
            {"Country", "country"}, {"Latitude", "latitude"}, {"Longitude", "longitude"},
            {"GeocodeAccuracy", "geocodeAccuracy"}};

    private Records() {
    }

    static Map<String, Object> attributes(ObjectDef o, String id, String version) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("type", o.name());
        if (id != null) {
            a.put("url", "/services/data/v" + version + "/sobjects/" + o.name() + "/" + id);
        }
        return a;
    }

    /** The record with every field (fields == null) or the given canonical fields. */
    static Map<String, Object> render(ObjectDef o, Map<String, Object> record, List<FieldDef> fields, String version) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("attributes", attributes(o, (String) record.get("Id"), version));
        for (FieldDef f : fields == null ? o.fields() : fields) {
            out.put(f.name(), value(o, f, record));
        }
        return out;
    }

    static Object value(ObjectDef o, FieldDef f, Map<String, Object> record) {
        if (f.type().equals("address")) {
            Map<String, Object> address = new LinkedHashMap<>();
            boolean any = false;
            for (FieldDef c : o.components(f.name())) {
                Object v = Values.toRest(record.get(c.name()));
                any |= v != null;
                for (String[] k : ADDRESS_KEYS) {
                    if (k[0].equals(c.componentName())) {
                        address.put(k[1], v);
                    }
                }
            }
            return any ? address : null;
        }
        if (f.isCompound()) {
            // Person Name: "FirstName LastName", as Salesforce computes Contact.Name.
            List<String> parts = new ArrayList<>();
            for (String key : new String[]{"FirstName", "MiddleName", "LastName", "Suffix"}) {
                Object v = record.get(key);
                if (v != null && !v.toString().isEmpty()) {
                    parts.add(v.toString());
                }
            }
            return parts.isEmpty() ? null : String.join(" ", parts);
        }
        return Values.toRest(record.get(f.name()));
    }

    /** Resolves a {@code fields=A,B} list against the object; unknown names are INVALID_FIELD. */
    static List<FieldDef> fieldList(ObjectDef o, String csv) {
        if (csv == null || csv.isBlank()) {
            return null;
        }
        List<FieldDef> out = new ArrayList<>();
        for (String name : csv.split(",")) {
            FieldDef f = o.field(name.trim());
            if (f == null) {
                throw new ApiException(400, "INVALID_FIELD", "No such column '" + name.trim() + "' on entity '" + o.name()
                        + "'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
                        + "Please reference your WSDL or the describe call for the appropriate names.");
            }
            out.add(f);
        }
        return out;
    }
}
