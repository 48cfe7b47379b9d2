//! The referral schema against Microsoft's own definition of the resource: the Referral
//! definition of the Power Platform connector "Partner Center Referrals", flattened into
//! `tests/fixtures/connector/referral-properties.json` by the `extract.py` beside it.
//!
//! Every property path of the connector is either known to `schema::REFERRAL` with a compatible
//! type (and writability, and every enum member), or listed in that folder's `DIFFERENCES.md`
//! with its reason; every path of the schema the connector lacks is listed there too. A listed
//! difference that goes away fails as well, so the list stays true.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::schema::{Kind, Property, REFERRAL};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/connector/referral-properties.json");
const DIFFERENCES: &str = include_str!("fixtures/connector/DIFFERENCES.md");

/// The sections of DIFFERENCES.md, as their headings read.
const CONNECTOR_ONLY: &str = "## In the connector, not in the schema";
const TYPE_DIFFERS: &str = "## Types that differ";
const SCHEMA_ONLY: &str = "## In the schema, not in the connector";

/// The connector's properties: `(path, entry)` in document order.
fn connector() -> Vec<(String, Value)> {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let properties = fixture["properties"].as_array().unwrap();
    properties.iter().map(|p| (p["path"].as_str().unwrap().to_string(), p.clone())).collect()
}

/// The paths listed under `heading` (lines "- `path`: reason", up to the next heading); each
/// must give a reason.
fn listed(heading: &str) -> Vec<String> {
    let start = DIFFERENCES.find(heading).unwrap_or_else(|| panic!("no section {heading}"));
    let body = &DIFFERENCES[start + heading.len()..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    body.lines()
        .filter_map(|line| line.strip_prefix("- `"))
        .map(|rest| {
            let (path, reason) = rest.split_once('`').unwrap();
            let reason = reason.trim_start_matches(':').trim();
            assert!(reason.len() > 10, "`{path}` is listed without a reason");
            path.to_string()
        })
        .collect()
}

/// Whether `path` is `listed` or lies below a listed path.
fn covered(path: &str, listed: &[String]) -> bool {
    listed.iter().any(|l| path == l || path.starts_with(&format!("{l}/")))
}

/// Every property path of `properties` below `prefix`, stepping into complex types and into the
/// element type of collections, as `ComplexType::property_at` reads paths.
fn schema_paths(properties: &'static [Property], prefix: &str, out: &mut Vec<String>) {
    for property in properties {
        let path = if prefix.is_empty() {
            property.name.to_string()
        } else {
            format!("{prefix}/{}", property.name)
        };
        out.push(path.clone());
        let mut kind = &property.kind;
        while let Kind::Collection(element) = kind {
            kind = element;
        }
        if let Kind::Complex(ty) = kind {
            schema_paths(ty.properties, &path, out);
        }
    }
}

/// Why the connector's `entry` and our `kind` disagree, or `None` when they agree.
fn type_mismatch(entry: &Value, kind: &Kind) -> Option<String> {
    let swagger = entry["type"].as_str().unwrap();
    let ok = match (swagger, kind) {
        ("any", _) => true,
        ("string", Kind::Enum(ours)) => match entry.get("enum") {
            Some(members) => {
                let missing: Vec<&str> = members
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_str().unwrap())
                    .filter(|m| !ours.contains(m))
                    .collect();
                if !missing.is_empty() {
                    return Some(format!("{} lacks the members {missing:?}", ours.name));
                }
                true
            }
            None => true,
        },
        // An enum the connector lists must be an enum of ours (with every member).
        ("string", _) if entry.get("enum").is_some() => false,
        ("string", Kind::String | Kind::Guid | Kind::DateTimeOffset | Kind::Date) => true,
        ("boolean", Kind::Boolean) => true,
        ("number" | "integer", Kind::Decimal) => true,
        ("object", Kind::Complex(_)) => true,
        ("array", Kind::Json) => entry["items"] == "any",
        ("array", Kind::Collection(element)) => match (entry["items"].as_str(), element) {
            (Some("any"), _) => true,
            (Some("object"), Kind::Complex(_)) => true,
            (Some(items), element) => {
                type_mismatch(&serde_json::json!({ "type": items }), element).is_none()
            }
            (None, _) => false,
        },
        _ => false,
    };
    (!ok).then(|| format!("the connector says {entry}, the schema {}", kind.name()))
}

#[test]
fn the_fixture_names_its_source_and_reads_the_whole_definition() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    assert_eq!(fixture["repository"], "microsoft/PowerPlatformConnectors");
    assert_eq!(fixture["commit"].as_str().unwrap().len(), 40);
    assert_eq!(fixture["sha256"].as_str().unwrap().len(), 64);
    let paths: Vec<String> = connector().into_iter().map(|(p, _)| p).collect();
    for expected in
        ["salesStage", "details/dealValue", "team/email", "target/type", "links/self/uri"]
    {
        assert!(paths.contains(&expected.to_string()), "{expected} missing from the fixture");
    }
    let mut unique = paths.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), paths.len(), "a path appears twice");
}

#[test]
fn every_connector_property_is_known_with_a_compatible_type_or_listed() {
    let connector_only = listed(CONNECTOR_ONLY);
    let type_differs = listed(TYPE_DIFFERS);
    let mut problems = Vec::new();
    for (path, entry) in connector() {
        let ours = REFERRAL.property_at(&path);
        if covered(&path, &connector_only) {
            if ours.is_some() && connector_only.contains(&path) {
                problems.push(format!("`{path}` is listed as missing but the schema has it"));
            }
            continue;
        }
        let Some(property) = ours else {
            problems.push(format!("`{path}` is not in the schema: {entry}"));
            continue;
        };
        match (type_mismatch(&entry, &property.kind), type_differs.contains(&path)) {
            (Some(why), false) => problems.push(format!("`{path}`: {why}")),
            (None, true) => problems.push(format!("`{path}` is listed as differing but agrees")),
            _ => {}
        }
        if entry.get("readOnly") == Some(&Value::Bool(true)) && !property.read_only {
            problems
                .push(format!("`{path}` is read-only in the connector, writable in the schema"));
        }
    }
    assert!(problems.is_empty(), "DIFFERENCES.md disagrees:\n{}", problems.join("\n"));
}

#[test]
fn every_enum_the_connector_lists_has_all_its_members_in_the_schema() {
    let mut checked = 0;
    for (path, entry) in connector().into_iter().filter(|(_, e)| e.get("enum").is_some()) {
        let property = REFERRAL.property_at(&path).unwrap_or_else(|| panic!("{path} unknown"));
        let Kind::Enum(ours) = property.kind else { panic!("{path} is not an enum of ours") };
        for member in entry["enum"].as_array().unwrap() {
            let member = member.as_str().unwrap();
            assert!(ours.contains(member), "{} lacks `{member}` ({path})", ours.name);
        }
        checked += 1;
    }
    // salesStage and inviteContext/assistanceRequestCode.
    assert_eq!(checked, 2);
}

#[test]
fn every_schema_property_the_connector_lacks_is_written_down() {
    let connector_paths: Vec<String> = connector().into_iter().map(|(p, _)| p).collect();
    let schema_only = listed(SCHEMA_ONLY);
    let mut ours = Vec::new();
    schema_paths(REFERRAL.properties, "", &mut ours);
    let mut problems = Vec::new();
    for path in &ours {
        // Below a connector value left open (`any`) or an array of `any`, nothing is listed.
        let under_open = connector().iter().any(|(p, e)| {
            path.starts_with(&format!("{p}/")) && (e["type"] == "any" || e["items"] == "any")
        });
        let in_connector = connector_paths.contains(path) || under_open;
        match (in_connector, covered(path, &schema_only)) {
            (false, false) => problems.push(format!("`{path}` is not in the connector")),
            (true, true) => problems.push(format!("`{path}` is listed but is in the connector")),
            _ => {}
        }
    }
    for path in &schema_only {
        if !ours.contains(path) {
            problems.push(format!("`{path}` is listed but is not in the schema"));
        }
    }
    assert!(problems.is_empty(), "DIFFERENCES.md disagrees:\n{}", problems.join("\n"));
}

#[test]
fn the_type_comparison_tells_incompatible_types_apart() {
    use partner_referrals::schema::{MEMBER, SALES_STAGE};
    use serde_json::json;
    static A_MEMBER: Kind = Kind::Complex(&MEMBER);
    let agree = [
        (json!({"type": "string"}), Kind::DateTimeOffset),
        (json!({"type": "string", "enum": ["Qualify", "Close"]}), Kind::Enum(&SALES_STAGE)),
        (json!({"type": "number", "format": "float"}), Kind::Decimal),
        (json!({"type": "array", "items": "any"}), Kind::Json),
        (json!({"type": "array", "items": "object"}), Kind::Collection(&A_MEMBER)),
        (json!({"type": "array", "items": "string"}), Kind::Collection(&Kind::String)),
    ];
    for (entry, kind) in agree {
        assert_eq!(type_mismatch(&entry, &kind), None, "{entry} vs {}", kind.name());
    }
    let differ = [
        (json!({"type": "boolean"}), Kind::String),
        (json!({"type": "string"}), Kind::Boolean),
        (json!({"type": "string", "enum": ["Qualify"]}), Kind::String),
        (json!({"type": "string", "enum": ["Qualify", "Negotiate"]}), Kind::Enum(&SALES_STAGE)),
        (json!({"type": "integer", "format": "int32"}), Kind::String),
        (json!({"type": "object"}), Kind::Json),
        (json!({"type": "array", "items": "object"}), Kind::Json),
        (json!({"type": "array", "items": "string"}), Kind::Collection(&A_MEMBER)),
    ];
    for (entry, kind) in differ {
        assert!(type_mismatch(&entry, &kind).is_some(), "{entry} vs {}", kind.name());
    }
}
