package emulator.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One sObject type: its name, key prefix and fields (in describe order). */
public final class ObjectDef {
    private final String name;
    private final String label;
    private final String labelPlural;
    private final String keyPrefix;
    private final boolean custom;
    private final List<FieldDef> fields;
    private final Map<String, FieldDef> byLowerName = new LinkedHashMap<>();

    public ObjectDef(String name, String label, String labelPlural, String keyPrefix, boolean custom, List<FieldDef> fields) {
        this.name = name;
        this.label = label;
        this.labelPlural = labelPlural;
        this.keyPrefix = keyPrefix;
        this.custom = custom;
        this.fields = List.copyOf(fields);
        for (FieldDef f : fields) {
            byLowerName.put(f.name().toLowerCase(Locale.ROOT), f);
        }
    }

    public String name() {
        return name;
    }

    public String label() {
        return label;
    }

    public String labelPlural() {
        return labelPlural;
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public boolean custom() {
        return custom;
    }

    public List<FieldDef> fields() {
        return fields;
    }

    /** Field by name, case-insensitively, or null. */
    public FieldDef field(String fieldName) {
        return fieldName == null ? null : byLowerName.get(fieldName.toLowerCase(Locale.ROOT));
    }

    /** Components of a compound field, in describe order. */
    public List<FieldDef> components(String compoundName) {
        return fields.stream().filter(f -> compoundName.equals(f.compoundFieldName())).toList();
    }

    /** The CDC channel of this object: /data/AccountChangeEvent, /data/Invoice__ChangeEvent. */
    public String changeEventChannel() {
        return "/data/" + changeEventName();
    }

    public String changeEventName() {
        return custom && name.endsWith("__c") ? name.substring(0, name.length() - 1) + "ChangeEvent" : name + "ChangeEvent";
    }

    public Map<String, FieldDef> fieldMap() {
        return Collections.unmodifiableMap(byLowerName);
    }
}
