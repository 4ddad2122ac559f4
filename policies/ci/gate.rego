# Portcullis CI gate: may this build ship? One decision over the normalized findings of a scan.
#
# Input (written by dev.portcullis.scan from Dependency-Check, Checkov and policies/terraform):
#   input.now          RFC 3339 time of the scan (the scanner's clock, so that a decision can be
#                      replayed exactly; the policy never reads the wall clock)
#   input.threshold    {"cvss": number 0..10, "severity": "low|medium|high|critical"}
#   input.findings     [{kind: "vulnerability", id, package, file, cvss (number or null),
#                        severity, known_exploited: bool, fixed_version (string or null)}
#                       | {kind: "iac", id, tool, file, resource, severity, message}]
#   input.suppressions [{id, package?, file?, resource?, reason, owner, expires}]
#                      expires is a date (YYYY-MM-DD, the suppression ends at 00:00 UTC that day)
#                      or an RFC 3339 time.
# Output, data.portcullis.ci.gate.result:
#   {"pass": bool, "reasons": [string], "blocking": [..], "suppressed": [..],
#    "expired_suppressions": [..], "invalid_suppressions": [..]}
#
# Fails closed: a malformed input, a finding without a CVSS score, a suppression without a
# reason, owner or expiry, and an expired suppression all fail the gate, each with a reason.
package portcullis.ci.gate

# The decision. Any failure reason means the build may not ship.
default result := {
	"pass": false,
	"reasons": ["gate could not evaluate its input"],
	"blocking": [],
	"suppressed": [],
	"expired_suppressions": [],
	"invalid_suppressions": [],
}

result := {
	"pass": pass,
	"reasons": sort([r | some r in failure_reasons]),
	"blocking": sort_by_key(blocking),
	"suppressed": sort_by_key(suppressed),
	"expired_suppressions": sort_by_key(expired_suppressions),
	"invalid_suppressions": sort_by_key(invalid_suppressions),
}

# Pass only when nothing blocks and every reason list is empty: the verdict does not depend on
# a reason string being well formed.
default pass := false

pass if {
	count(input_errors) == 0
	count(blocking) == 0
	count(expired_suppressions) == 0
	count(invalid_suppressions) == 0
	count(failure_reasons) == 0
}

sort_by_key(items) := [item |
	some key in sort({k | some i in items; k := i.key})
	some item in items
	item.key == key
]

# --- input checks -------------------------------------------------------------------------------

input_errors contains "input.now must be an RFC 3339 time" if not now_ns

input_errors contains "input.threshold.cvss must be a number from 0 to 10" if not valid_threshold

input_errors contains "input.findings must be an array" if not is_array(object.get(input, "findings", null))

input_errors contains "input.suppressions must be an array" if not is_array(object.get(input, "suppressions", []))

input_errors contains sprintf("finding %d has no known kind (vulnerability or iac)", [i]) if {
	some i, f in input.findings
	not object.get(f, "kind", null) in {"vulnerability", "iac"}
}

input_errors contains sprintf("finding %d has no id", [i]) if {
	some i, f in input.findings
	not non_empty_string(object.get(f, "id", null))
}

valid_threshold if {
	is_number(input.threshold.cvss)
	input.threshold.cvss >= 0
	input.threshold.cvss <= 10
}

now_ns := time.parse_rfc3339_ns(input.now)

suppressions := object.get(input, "suppressions", [])

non_empty_string(s) if {
	is_string(s)
	trim_space(s) != ""
}

# --- vulnerabilities ----------------------------------------------------------------------------

# Why a vulnerability blocks, before suppressions: one or more of these codes.
vulnerability_causes(f) := causes if {
	f.kind == "vulnerability"
	causes := {c |
		some c in ["cvss_at_or_above_threshold", "known_exploited", "no_cvss_score"]
		vulnerability_cause(f, c)
	}
}

vulnerability_cause(f, "cvss_at_or_above_threshold") if {
	is_number(f.cvss)
	f.cvss >= input.threshold.cvss
}

vulnerability_cause(f, "known_exploited") if f.known_exploited == true

# Fail closed: without a score nobody can show that the finding is below the threshold.
vulnerability_cause(f, "no_cvss_score") if not is_number(object.get(f, "cvss", null))

# --- infrastructure as code ---------------------------------------------------------------------

# An IaC finding is a violated rule, not a scored risk: it blocks whatever the threshold.
iac_causes(f) := {"iac_rule_violated"} if f.kind == "iac"

causes(f) := vulnerability_causes(f) if f.kind == "vulnerability"

causes(f) := iac_causes(f) if f.kind == "iac"

# --- suppressions -------------------------------------------------------------------------------

suppression_key(i, s) := sprintf("%s#%d", [object.get(s, "id", "?"), i])

suppression_problems(s) := problems if {
	problems := {p |
		some field in ["id", "reason", "owner", "expires"]
		not non_empty_string(object.get(s, field, null))
		p := sprintf("no %s", [field])
	} | {p |
		non_empty_string(object.get(s, "expires", null))
		not expiry_ns(s.expires)
		p := sprintf("expires %q is neither a date (YYYY-MM-DD) nor an RFC 3339 time", [s.expires])
	}
}

expiry_ns(e) := time.parse_ns("2006-01-02", e)

expiry_ns(e) := time.parse_rfc3339_ns(e) if not regex.match(`^\d{4}-\d{2}-\d{2}$`, e)

valid_suppression(s) if count(suppression_problems(s)) == 0

active_suppression(s) if {
	valid_suppression(s)
	now_ns < expiry_ns(s.expires)
}

invalid_suppressions contains {
	"key": suppression_key(i, s),
	"suppression": s,
	"problems": sort([p | some p in suppression_problems(s)]),
} if {
	some i, s in suppressions
	not valid_suppression(s)
}

expired_suppressions contains {"key": suppression_key(i, s), "suppression": s} if {
	some i, s in suppressions
	valid_suppression(s)
	now_ns >= expiry_ns(s.expires)
}

# A suppression names the finding's id and, optionally, narrows it to a package (with or
# without its version), a file and a resource. Every field it gives must match.
matches(s, f) if {
	s.id == f.id
	package_matches(s, f)
	field_matches(s, f, "file")
	field_matches(s, f, "resource")
}

package_matches(s, _) if not s["package"]

package_matches(s, f) if s["package"] == f["package"]

package_matches(s, f) if startswith(f["package"], concat("", [s["package"], "@"]))

field_matches(s, _, field) if not s[field]

field_matches(s, f, field) if s[field] == f[field]

finding_key(f) := sprintf("%s|%s|%s|%s", [
	f.id,
	object.get(f, "package", ""),
	object.get(f, "file", ""),
	object.get(f, "resource", ""),
])

# --- the verdict --------------------------------------------------------------------------------

candidates contains {"finding": f, "causes": c} if {
	some f in input.findings
	c := causes(f)
	count(c) > 0
}

blocking contains {
	"key": finding_key(candidate.finding),
	"finding": candidate.finding,
	"causes": sort([c | some c in candidate.causes]),
} if {
	some candidate in candidates
	not suppressed_by_active(candidate.finding)
}

suppressed_by_active(f) if {
	some s in suppressions
	active_suppression(s)
	matches(s, f)
}

suppressed contains {
	"key": finding_key(candidate.finding),
	"finding": candidate.finding,
	"suppression": s,
} if {
	some candidate in candidates
	some s in suppressions
	active_suppression(s)
	matches(s, candidate.finding)
}

failure_reasons contains sprintf("invalid input: %s", [e]) if some e in input_errors

failure_reasons contains reason if {
	count(input_errors) == 0
	some b in blocking
	reason := blocking_reason(b.finding, b.causes)
}

failure_reasons contains sprintf("suppression of %s (owner %s) expired on %s: renew it with a reason or fix the finding", [
	e.suppression.id, e.suppression.owner, e.suppression.expires,
]) if {
	count(input_errors) == 0
	some e in expired_suppressions
}

failure_reasons contains sprintf("suppression %s is invalid: %s", [i.key, concat(", ", i.problems)]) if {
	count(input_errors) == 0
	some i in invalid_suppressions
}

blocking_reason(f, cs) := sprintf("%s in %s: %s%s", [
	f.id, object.get(f, "package", "an unnamed package"),
	concat(", ", [describe_cause(f, c) | some c in cs]), fix_hint(f),
]) if f.kind == "vulnerability"

blocking_reason(f, _) := sprintf("%s in %s (%s): %s", [
	f.id, object.get(f, "file", "an unnamed file"), object.get(f, "resource", "-"),
	object.get(f, "message", "rule violated"),
]) if f.kind == "iac"

describe_cause(f, "cvss_at_or_above_threshold") := sprintf("CVSS %v >= %v", [f.cvss, input.threshold.cvss])

describe_cause(_, "known_exploited") := "listed as known exploited (CISA KEV)"

describe_cause(_, "no_cvss_score") := "no CVSS score"

fix_hint(f) := sprintf("; fixed in %s", [f.fixed_version]) if non_empty_string(object.get(f, "fixed_version", null))

fix_hint(f) := "; no fixed version known" if not non_empty_string(object.get(f, "fixed_version", null))
