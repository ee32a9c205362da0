"""Policy, assessment and the localization report (부품 국산화 확인 보고서).

    load_policy(name_or_path) -> Policy                     reports.policy
    assess(matched: MatchedScan, policy) -> Report          reports.assessment (pure)
    report_to_dict(report) -> dict                           reports.model (the JSON document)
    FORMATS[name].render(report, out: BinaryIO, lang)       reports.formats ("html", "json", "csv", "xlsx")
    write_report_set(report, out_dir, formats, lang, signing_key) -> [Path]   reports.writer
    verify_report_file(path, public_key_path) -> VerifyResult                  reports.integrity

Submodules are imported on use, so `import reports.integrity` stays cheap for the bundle verifier.
"""
