package emulator.rest;

import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** describeGlobal, sObject basic info and sObject describe bodies, in Salesforce's shapes. */
final class Describe {
    private Describe() {
    }

    static Map<String, Object> global(Schema schema, String version) {
        List<Object> sobjects = new ArrayList<>();
        for (ObjectDef o : schema.objects()) {
            sobjects.add(summary(o, version));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("encoding", "UTF-8");
        body.put("maxBatchSize", 200);
        body.put("sobjects", sobjects);
        return body;
    }

    static Map<String, Object> basicInfo(ObjectDef o, String version) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("objectDescribe", summary(o, version));
        body.put("recentItems", List.of());
        return body;
    }

    static Map<String, Object> summary(ObjectDef o, String version) {
        Map<String, Object> s = new LinkedHashMap<>();
        boolean writable = !o.name().equals("User");
        s.put("activateable", false);
        s.put("createable", writable);
        s.put("custom", o.custom());
        s.put("customSetting", false);
        s.put("deletable", writable);
        s.put("deprecatedAndHidden", false);
        s.put("feedEnabled", false);
        s.put("keyPrefix", o.keyPrefix());
        s.put("label", o.label());
        s.put("labelPlural", o.labelPlural());
        s.put("layoutable", true);
        s.put("mergeable", false);
        s.put("name", o.name());
        s.put("queryable", true);
        s.put("replicateable", true);
        s.put("retrieveable", true);
        s.put("searchable", true);
        s.put("triggerable", true);
        s.put("undeletable", writable);
        s.put("updateable", true);
        s.put("urls", urls(o, version));
        return s;
    }

    private static Map<String, Object> urls(ObjectDef o, String version) {
        String base = "/services/data/v" + version + "/sobjects/" + o.name();
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("rowTemplate", base + "/{ID}");
        u.put("describe", base + "/describe");
        u.put("sobject", base);
        return u;
    }

    static Map<String, Object> describe(ObjectDef o, String version) {
        Map<String, Object> d = new LinkedHashMap<>(summary(o, version));
        d.put("actionOverrides", List.of());
        d.put("childRelationships", List.of());
        d.put("compactLayoutable", true);
        d.put("lookupLayoutable", true);
        d.put("listviewable", true);
        d.put("namedLayoutInfos", List.of());
        Map<String, Object> recordType = new LinkedHashMap<>();
        recordType.put("available", true);
        recordType.put("defaultRecordTypeMapping", true);
        recordType.put("master", true);
        recordType.put("name", "Master");
        recordType.put("recordTypeId", "012000000000000AAA");
        d.put("recordTypeInfos", List.of(recordType));
        d.put("searchLayoutable", true);
        List<Object> fields = new ArrayList<>();
        for (FieldDef f : o.fields()) {
            fields.add(field(f));
        }
        d.put("fields", fields);
        return d;
    }

    static Map<String, Object> field(FieldDef f) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean text = f.isText() || f.type().equals("id") || f.type().equals("reference");
        m.put("aggregatable", !f.type().equals("textarea"));
        m.put("autoNumber", false);
        m.put("byteLength", text ? f.length() * 3 : 0);
        m.put("calculated", f.calculated());
        m.put("calculatedFormula", null);
        m.put("cascadeDelete", false);
        m.put("caseSensitive", false);
        m.put("compoundFieldName", f.compoundFieldName());
        m.put("controllerName", null);
        m.put("createable", f.createable());
        m.put("custom", f.custom());
        m.put("defaultValue", f.defaultValue());
        m.put("defaultValueFormula", null);
        m.put("defaultedOnCreate", f.defaultedOnCreate());
        m.put("dependentPicklist", false);
        m.put("deprecatedAndHidden", false);
        m.put("digits", f.digits());
        m.put("displayLocationInDecimal", false);
        m.put("encrypted", false);
        m.put("externalId", f.externalId());
        m.put("extraTypeInfo", f.type().equals("textarea") ? (f.length() > 255 ? "plaintextarea" : null) : null);
        m.put("filterable", !f.type().equals("textarea") || f.length() <= 255);
        m.put("filteredLookupInfo", null);
        m.put("groupable", !f.type().equals("textarea"));
        m.put("highScaleNumber", false);
        m.put("htmlFormatted", false);
        m.put("idLookup", f.name().equals("Id") || f.externalId());
        m.put("inlineHelpText", null);
        m.put("label", f.label());
        m.put("length", text ? f.length() : 0);
        m.put("mask", null);
        m.put("maskType", null);
        m.put("name", f.name());
        m.put("nameField", f.nameField());
        m.put("namePointing", false);
        m.put("nillable", f.nillable());
        m.put("permissionable", f.nillable() && f.createable());
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < f.picklistValues().size(); i++) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("active", true);
            v.put("defaultValue", false);
            v.put("label", f.picklistValues().get(i));
            v.put("validFor", null);
            v.put("value", f.picklistValues().get(i));
            values.add(v);
        }
        m.put("picklistValues", values);
        m.put("polymorphicForeignKey", f.referenceTo().size() > 1);
        m.put("precision", f.precision());
        m.put("queryByDistance", false);
        m.put("referenceTargetField", null);
        m.put("referenceTo", f.referenceTo());
        m.put("relationshipName", f.relationshipName());
        m.put("relationshipOrder", null);
        m.put("restrictedDelete", false);
        m.put("restrictedPicklist", f.restrictedPicklist());
        m.put("scale", f.scale());
        m.put("searchPrefilterable", false);
        m.put("soapType", f.soapType());
        m.put("sortable", !f.type().equals("textarea") || f.length() <= 255);
        m.put("type", f.type());
        m.put("unique", f.unique());
        m.put("updateable", f.updateable());
        m.put("writeRequiresMasterRead", false);
        return m;
    }
}
