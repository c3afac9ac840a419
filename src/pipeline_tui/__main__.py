from pipeline_tui.cli import main

raise SystemExit(main())
