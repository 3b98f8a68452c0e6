"""The nightly cross-hub roll-up: what each section holds, and how it is built from SQL aggregates.

A report for day D describes the end of D (Europe/London): stage moves dated up to D,
figures approved by then (``Measurement.reviewed_at``), notes written by then. It
compares with the previous report (the latest one before D), so "since the previous
report" means since that report's day.

``RollupReport.content`` is JSON of this shape (every list sorted, so the same data
always gives the same content and the same ``content_hash``):

    {
      "day": "2026-11-24",
      "previous_day": "2026-11-23" | null,
      "headline": {
        "adoptions_by_stage": {"<stage value>": n, ...},      # current (non-archived) adoptions
        "total_reach": n,                                     # approved "people-enrolled"-style reach
                                                              # count totals of the latest month, all hubs
        "indicators_by_variation": {"<PointType value>": n, ...},
        "indicators_by_assurance": {"<Assurance value>": n, ...}
      },
      "innovations": [                                         # by innovation name, then hub name
        {"innovation": "...", "slug": "...",
         "hubs": [{"hub": "...", "hub_slug": "...", "adoption_id": n, "stage": "<value>",
                   "stage_label": "...", "since": "YYYY-MM-DD", "days_in_stage": n,
                   "moves_since_previous": n}]}
      ],
      "signals": [                                             # indicators whose reading changed
        {"indicator_id": n, "hub": "...", "innovation": "...", "metric": "...",
         "variation": "<PointType>", "previous_variation": "<PointType>" | null,
         "assurance": "<Assurance>" | null, "previous_assurance": "<Assurance>" | null,
         "change": "new improvement" | "new concern" | "lost assurance" | "..."}
      ],
      "equity": [                                              # reach metrics with IMD rows
        {"hub": "...", "innovation": "...", "metric": "...", "q1": n, "all": n,
         "share": 0.123, "previous_share": 0.1 | null, "change_points": 2.3 | null}
      ],
      "learning": {
        "new_notes": [{"note_id": n, "title": "...", "hub": "...", "innovation": "...",
                       "kind": "<value>", "cfir_domain": "<value>", "created": "YYYY-MM-DD"}],
        "by_domain_and_kind": [{"cfir_domain": "<value>", "kind": "<value>", "count": n}],
        "recurring_themes": [{"cfir_domain": "<value>", "kind": "barrier", "hubs": ["...", "..."]}]
      },
      "completeness": [{"hub": "...", "due": n, "reported": n, "percent": n}]   # approved months
    }
"""

SECTIONS = ("headline", "innovations", "signals", "equity", "learning", "completeness")
