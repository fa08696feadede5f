from reportkit.cli import main

raise SystemExit(main())
