package portcullis.ci.gate_test

import data.portcullis.ci.gate

now := "2026-11-23T12:00:00Z"

high := {"cvss": 7.0, "severity": "high"}

log4shell := {
	"kind": "vulnerability",
	"id": "CVE-2021-44228",
	"package": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
	"file": "log4j-core-2.14.1.jar",
	"cvss": 10.0,
	"severity": "critical",
	"known_exploited": true,
	"fixed_version": "2.15.0",
}

medium_dos := {
	"kind": "vulnerability",
	"id": "CVE-2021-45105",
	"package": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
	"file": "log4j-core-2.14.1.jar",
	"cvss": 5.9,
	"severity": "medium",
	"known_exploited": false,
	"fixed_version": "2.17.0",
}

exportable_key := {
	"kind": "iac",
	"id": "PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE",
	"tool": "portcullis-rego",
	"file": "main.tf",
	"resource": "vault_transit_secret_backend_key.fields",
	"severity": "high",
	"message": "Transit key is exportable",
}

suppress(id, expires) := {
	"id": id,
	"reason": "not reachable: JNDI lookups disabled by -Dlog4j2.formatMsgNoLookups",
	"owner": "team-payments",
	"expires": expires,
}

run(findings, suppressions) := r if {
	r := gate.result with input as {
		"now": now,
		"threshold": high,
		"findings": findings,
		"suppressions": suppressions,
	}
}

test_critical_known_exploited_vulnerability_fails_and_names_the_fix if {
	r := run([log4shell], [])
	r.pass == false
	r.reasons == ["CVE-2021-44228 in pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1: CVSS 10 >= 7, listed as known exploited (CISA KEV); fixed in 2.15.0"]
	r.blocking[0].causes == ["cvss_at_or_above_threshold", "known_exploited"]
}

test_vulnerability_below_threshold_passes if {
	r := run([medium_dos], [])
	r.pass == true
	r.reasons == []
	r.blocking == []
}

test_score_equal_to_threshold_fails if {
	at := object.union(medium_dos, {"cvss": 7.0})
	r := run([at], [])
	r.pass == false
	r.blocking[0].causes == ["cvss_at_or_above_threshold"]
}

test_known_exploited_below_threshold_still_fails if {
	kev := object.union(medium_dos, {"known_exploited": true})
	r := run([kev], [])
	r.pass == false
	r.blocking[0].causes == ["known_exploited"]
}

test_vulnerability_without_score_fails_closed if {
	unscored := object.union(medium_dos, {"cvss": null, "fixed_version": null})
	r := run([unscored], [])
	r.pass == false
	r.reasons == ["CVE-2021-45105 in pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1: no CVSS score; no fixed version known"]
}

test_vulnerability_without_a_cvss_member_fails_closed if {
	r := run([object.remove(medium_dos, ["cvss"])], [])
	r.pass == false
	r.blocking[0].causes == ["no_cvss_score"]
}

test_no_findings_passes if {
	r := run([], [])
	r.pass == true
	r.suppressed == []
}

test_suppression_with_future_expiry_passes_and_is_listed if {
	s := suppress("CVE-2021-44228", "2027-01-31")
	r := run([log4shell], [s])
	r.pass == true
	r.blocking == []
	count(r.suppressed) == 1
	r.suppressed[0].finding.id == "CVE-2021-44228"
	r.suppressed[0].suppression.owner == "team-payments"
}

test_suppression_with_rfc3339_expiry_in_the_future_passes if {
	r := run([log4shell], [suppress("CVE-2021-44228", "2026-11-23T12:00:01Z")])
	r.pass == true
}

test_expired_suppression_fails_and_the_finding_blocks_again if {
	r := run([log4shell], [suppress("CVE-2021-44228", "2026-11-23")])
	r.pass == false
	count(r.blocking) == 1
	count(r.expired_suppressions) == 1
	some reason in r.reasons
	reason == "suppression of CVE-2021-44228 (owner team-payments) expired on 2026-11-23: renew it with a reason or fix the finding"
}

test_expired_suppression_fails_even_when_nothing_matches_it if {
	r := run([], [suppress("CVE-2019-0001", "2020-01-01")])
	r.pass == false
	count(r.expired_suppressions) == 1
}

test_suppression_without_reason_or_owner_is_invalid_and_fails if {
	s := {"id": "CVE-2021-44228", "expires": "2027-01-31", "reason": " "}
	r := run([log4shell], [s])
	r.pass == false
	r.invalid_suppressions[0].problems == ["no owner", "no reason"]
	count(r.blocking) == 1
}

test_suppression_without_expiry_is_invalid if {
	s := {"id": "CVE-2021-44228", "reason": "r", "owner": "o"}
	r := run([log4shell], [s])
	r.pass == false
	r.invalid_suppressions[0].problems == ["no expires"]
}

test_suppression_with_unreadable_expiry_is_invalid if {
	r := run([log4shell], [suppress("CVE-2021-44228", "next tuesday")])
	r.pass == false
	r.invalid_suppressions[0].problems == [`expires "next tuesday" is neither a date (YYYY-MM-DD) nor an RFC 3339 time`]
	some reason in r.reasons
	startswith(reason, "suppression CVE-2021-44228#0 is invalid: expires")
}

test_suppression_for_the_package_without_version_matches if {
	s := object.union(suppress("CVE-2021-44228", "2027-01-31"), {"package": "pkg:maven/org.apache.logging.log4j/log4j-core"})
	r := run([log4shell], [s])
	r.pass == true
}

test_suppression_for_another_package_does_not_match if {
	s := object.union(suppress("CVE-2021-44228", "2027-01-31"), {"package": "pkg:maven/org.apache.logging.log4j/log4j-api"})
	r := run([log4shell], [s])
	r.pass == false
	r.suppressed == []
}

test_suppression_for_the_exact_package_version_matches if {
	s := object.union(suppress("CVE-2021-44228", "2027-01-31"), {"package": log4shell["package"], "file": log4shell.file})
	r := run([log4shell], [s])
	r.pass == true
}

test_suppression_for_another_cve_does_not_match if {
	r := run([log4shell], [suppress("CVE-2021-45046", "2027-01-31")])
	r.pass == false
	count(r.blocking) == 1
}

test_iac_finding_blocks_whatever_the_threshold if {
	r := gate.result with input as {"now": now, "threshold": {"cvss": 10}, "findings": [exportable_key]}
	r.pass == false
	r.reasons == ["PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE in main.tf (vault_transit_secret_backend_key.fields): Transit key is exportable"]
	r.blocking[0].causes == ["iac_rule_violated"]
}

test_iac_suppression_narrowed_to_the_resource_matches if {
	s := object.union(suppress("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE", "2027-01-31"), {"resource": "vault_transit_secret_backend_key.fields"})
	r := run([exportable_key], [s])
	r.pass == true
}

test_iac_suppression_for_another_resource_does_not_match if {
	s := object.union(suppress("PORTCULLIS_TF_TRANSIT_KEY_EXPORTABLE", "2027-01-31"), {"resource": "vault_transit_secret_backend_key.other"})
	r := run([exportable_key], [s])
	r.pass == false
}

test_reasons_fall_back_when_fields_are_missing if {
	bare_vuln := {"kind": "vulnerability", "id": "CVE-2000-0001", "cvss": 9.8}
	bare_iac := {"kind": "iac", "id": "CKV_X"}
	r := run([bare_vuln, bare_iac], [])
	r.pass == false
	r.reasons == [
		"CKV_X in an unnamed file (-): rule violated",
		"CVE-2000-0001 in an unnamed package: CVSS 9.8 >= 7; no fixed version known",
	]
}

test_blocking_findings_are_sorted_by_key if {
	r := run([medium_dos, log4shell, object.union(log4shell, {"id": "CVE-2021-45046", "cvss": 9.0})], [])
	[b.finding.id | some b in r.blocking] == ["CVE-2021-44228", "CVE-2021-45046"]
}

test_missing_time_fails_closed if {
	r := gate.result with input as {"threshold": high, "findings": []}
	r.pass == false
	r.reasons == ["invalid input: input.now must be an RFC 3339 time"]
}

test_threshold_out_of_range_fails_closed if {
	r := gate.result with input as {"now": now, "threshold": {"cvss": 11}, "findings": [log4shell]}
	r.pass == false
	r.reasons == ["invalid input: input.threshold.cvss must be a number from 0 to 10"]
}

test_findings_not_an_array_fails_closed if {
	r := gate.result with input as {"now": now, "threshold": high, "findings": {"a": 1}, "suppressions": "none"}
	r.pass == false
	r.reasons == ["invalid input: input.findings must be an array", "invalid input: input.suppressions must be an array"]
}

test_finding_of_unknown_kind_or_without_id_fails_closed if {
	r := run([{"kind": "licence", "id": "GPL"}, {"kind": "vulnerability", "cvss": 1.0}, {"id": "CVE-1"}], [])
	r.pass == false
	r.reasons == [
		"invalid input: finding 0 has no known kind (vulnerability or iac)",
		"invalid input: finding 1 has no id",
		"invalid input: finding 2 has no known kind (vulnerability or iac)",
	]
}

test_missing_input_fails_closed if {
	r := gate.result with input as {}
	r.pass == false
	count(r.reasons) == 3
}
