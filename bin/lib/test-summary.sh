# shellcheck shell=bash
# print_test_summary ROOT OPA_REPORT SINCE: the end of a test run, from the Surefire and Failsafe
# XML reports of every module (so it is complete however Maven interleaved its output). Only reports
# written after the file SINCE count: a run of some modules must not sum up another run's leftovers.
print_test_summary() {
  local root="$1" opa_report="$2" since="$3"
  echo
  step "Test summary"
  [[ -f "$opa_report" ]] && info "$(tail -n 1 "$opa_report")"
  python3 - "$root" "$since" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

root = sys.argv[1]
since = os.path.getmtime(sys.argv[2])
totals = {}
rows = []
for plugin, folder in (("Surefire", "surefire-reports"), ("Failsafe", "failsafe-reports")):
    module_dirs = glob.glob(os.path.join(root, "*", "target", folder)) + glob.glob(os.path.join(root, "*", "*", "target", folder))
    for module_dir in sorted(module_dirs):
        module = os.path.relpath(os.path.dirname(os.path.dirname(module_dir)), root)
        t = f = e = s = 0
        for report in glob.glob(os.path.join(module_dir, "TEST-*.xml")):
            if os.path.getmtime(report) < since:
                continue
            try:
                suite = ET.parse(report).getroot()
            except ET.ParseError:
                e += 1
                continue
            t += int(suite.get("tests", 0)); f += int(suite.get("failures", 0))
            e += int(suite.get("errors", 0)); s += int(suite.get("skipped", 0))
        if t == 0:
            continue
        rows.append((plugin, module, t, f, e, s))
        agg = totals.setdefault(plugin, [0, 0, 0, 0])
        for i, v in enumerate((t, f, e, s)):
            agg[i] += v
for plugin, module, t, f, e, s in rows:
    print(f"[INFO] {plugin} {module:<18} Tests run: {t}, Failures: {f}, Errors: {e}, Skipped: {s}")
for plugin in ("Surefire", "Failsafe"):
    t, f, e, s = totals.get(plugin, [0, 0, 0, 0])
    print(f"[INFO] {plugin} total{'':<14} Tests run: {t}, Failures: {f}, Errors: {e}, Skipped: {s}")
PY
}
