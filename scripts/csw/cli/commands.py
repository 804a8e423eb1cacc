"""The ``csw`` subcommands other than ``build``: each reads its parsed flags, calls the module that
does the work, prints and returns the exit code. The flags are declared in ``csw.cli``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rich.console import Console


def cmd_generate(args: argparse.Namespace, console: Console) -> int:
    from csw.generate import generate

    summary = generate(
        out_dir=args.out,
        accounts=args.accounts,
        months=args.months,
        seed=args.seed,
        as_of=args.as_of,
        faults=args.faults,
        product_source=not args.no_product_source,
        layout=args.layout,
    )
    console.print(f"[green]wrote[/] {args.out}")
    console.print_json(json.dumps(summary, default=str))
    return 0


def cmd_generate_day(args: argparse.Namespace, console: Console) -> int:
    from csw.generator.increment import append_day

    if not args.raw_dir.is_dir():
        console.print(f"[red]raw directory not found: {args.raw_dir}[/]")
        return 2
    summary = append_day(args.raw_dir, args.out, seed=args.seed)
    console.print(f"[green]appended {summary['as_of_date']}[/] to {args.out or args.raw_dir}")
    console.print_json(json.dumps(summary, default=str))
    return 0


def cmd_bench(args: argparse.Namespace, console: Console) -> int:
    from csw.bench import options_from_args, run

    return run(options_from_args(args), console)


def cmd_bench_step(args: argparse.Namespace, console: Console) -> int:
    from csw.bench import inner

    if args.step == "floor":
        inner.floor_step(args.raw_dir, args.db, args.out_dir, args.result)
    elif args.step == "append":
        inner.append_step(args.raw_dir, args.out, args.result)
    elif args.step == "naive":
        inner.naive_step(args.db, args.compiled_dir, args.result)
    else:
        inner.checksums_step(args.db, args.result)
    return 0


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    from rich.markup import escape

    from csw.report import ReportError, render_report

    try:
        result = render_report(args.db, args.out, locale=args.lang, currency=args.currency)
    except ReportError as exc:
        console.print(f"[red]csw report: {escape(str(exc))}[/]")
        return 2
    console.print(f"[green]wrote[/] {result.out_path} ({len(result.charts)} charts)")
    return 0


def cmd_alerts(args: argparse.Namespace, console: Console) -> int:
    from rich.markup import escape

    from csw.alerts import AlertsError, write_digest

    try:
        text, digest = write_digest(args.db, fmt=args.format, lang=args.lang, out=args.out)
    except AlertsError as exc:
        console.print(f"[red]csw alerts: {escape(str(exc))}[/]")
        return 2
    if args.out is None:
        sys.stdout.write(text)
    else:
        console.print(f"[green]wrote[/] {args.out} ({len(digest.rows)} alerts)")
    return 0


def cmd_calibrate_health(args: argparse.Namespace, console: Console) -> int:
    from rich.markup import escape

    from csw.calibrate import CalibrationError, fit, read_hand_weights, write_seeds

    weights_seed = args.seeds_dir / "health_weights.csv"
    try:
        hand = read_hand_weights(weights_seed) if weights_seed.is_file() else None
        result = fit(args.db, split_month=args.split_month, hand_weights=hand)
    except CalibrationError as exc:
        console.print(f"[red]csw calibrate-health: {escape(str(exc))}[/]")
        return 2
    console.print(
        f"split {result.split_month}: train {result.train_snapshots} snapshots "
        f"({result.train_churned} churned within 90 days), validation {result.valid_snapshots} "
        f"({result.valid_churned})"
    )
    for name in ("hand", "fitted"):
        weights = getattr(result, f"{name}_weights")
        auc = result.auc[name]
        console.print(
            f"{name:>6} weights {weights}: ROC AUC train {auc['train']:.4f}, "
            f"validation (out of time) {auc['valid']:.4f}"
        )
    if args.dry_run:
        return 0
    write_seeds(result, args.seeds_dir)
    console.print(
        f"[green]wrote[/] {weights_seed} and {args.seeds_dir / 'health_weights_fit.csv'}; "
        "run `csw build` to apply the fitted weights"
    )
    return 0


def cmd_compare_marts(args: argparse.Namespace, console: Console) -> int:
    from csw.compare_marts import compare_marts, report_lines

    for path in (args.before, args.after):
        if not path.is_file():
            console.print(f"[red]csw compare-marts: no such DuckDB file: {path}[/]", highlight=False)
            return 2
    results = compare_marts(args.before, args.after)
    for line in report_lines(results):
        sys.stdout.write(line + "\n")
    return 0 if results and all(r.equal for r in results) else 1


def cmd_publish(args: argparse.Namespace, console: Console) -> int:
    from csw.publish import CATALOG_NAME, CURRENT_LINK, PublishError, publish

    started = time.perf_counter()
    if Path(args.db).is_file():  # a missing file gets publish()'s own message
        from csw.buildstate import publish_refusal

        try:
            refusal = publish_refusal(Path(args.db))
        except Exception:  # e.g. a build holds the file: publish() below says so clearly
            refusal = None
        if refusal is not None:  # only a warehouse whose last csw build passed is published
            console.print(f"[red]csw publish refused:[/] {refusal}", highlight=False)
            return 1
    try:
        result = publish(args.db, args.out, keep=args.keep, grace_seconds=args.grace_seconds)
    except PublishError as exc:
        console.print(f"[red]csw publish failed:[/] {exc}", highlight=False)
        return 1
    marts = result.manifest["marts"]
    console.print(
        f"[green]published[/] {len(marts)} marts ({sum(m['rows'] for m in marts.values())} rows) "
        f"to {result.snapshot_dir} in {time.perf_counter() - started:.1f}s",
        highlight=False,
    )
    console.print(f"current -> {result.snapshot_dir.name} (previous: {result.previous or 'none'})", highlight=False)
    if result.pruned:
        console.print(f"pruned {', '.join(result.pruned)}", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]{warning}[/]", highlight=False)
    console.print(
        f"BI: duckdb.connect('{Path(args.out) / CURRENT_LINK / CATALOG_NAME}', read_only=True)",
        highlight=False,
    )
    return 0


def cmd_bi(args: argparse.Namespace, console: Console) -> int:
    from csw.bi.superset import ADMIN_USER, SupersetError, SupersetServer, import_dashboards, render_bundle

    published = Path(args.published)
    if not (published / "current" / "catalog.duckdb").exists():
        console.print(f"[red]csw bi:[/] nothing published in {published} (run: csw publish --db warehouse.duckdb "
                      f"--out {published})", highlight=False)
        return 1
    if args.bundle_out is not None:
        args.bundle_out.write_bytes(render_bundle(published))
        console.print(f"wrote {args.bundle_out}: import it in Superset (Dashboards -> Import, or "
                      "POST /api/v1/assets/import/); it needs duckdb-engine in Superset's venv", highlight=False)
        return 0
    server = SupersetServer(home=args.home, port=args.port)
    try:
        console.print("starting Superset (first run installs .venv-superset, a few minutes)...", highlight=False)
        server.start()
        seconds = import_dashboards(server, published)
        console.print(f"[green]Superset[/] on {server.url}  user {ADMIN_USER}  password {server.password}",
                      highlight=False)
        for dashboard in server.dashboards():
            console.print(f"  {dashboard['dashboard_title']}: {server.url}/superset/dashboard/{dashboard['slug']}/",
                          highlight=False)
        console.print(f"dashboards imported in {seconds:.1f}s; Ctrl-C stops Superset", highlight=False)
        while server.running():
            time.sleep(1)
        return 1
    except SupersetError as exc:
        console.print(f"[red]csw bi failed:[/] {exc}", highlight=False)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


def cmd_quality(args: argparse.Namespace, console: Console) -> int:
    from csw.quality import run

    return run(manifest=args.manifest, target_path=args.target_path)


def cmd_pg_cluster(args: argparse.Namespace, console: Console) -> int:
    from csw.engines.pg_cluster import DEFAULT_DIR, ClusterError, start, stop

    base_dir = args.dir or DEFAULT_DIR
    try:
        if args.action == "start":
            cluster = start(base_dir)
            print(f"# PostgreSQL {Path(cluster.bin_dir).parent.name} on "
                  f"{cluster.host}:{cluster.port}, data in {cluster.data_dir}", file=sys.stderr)
            _print_exports(cluster.env)
        else:
            stop(base_dir)
            print(f"# stopped and removed {base_dir}", file=sys.stderr)
    except ClusterError as exc:
        print(f"pg_cluster: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_spark_cluster(args: argparse.Namespace, console: Console) -> int:
    from csw.engines.spark_cluster import DEFAULT_DIR, ClusterError, read_state, start, stop

    base_dir = args.dir or DEFAULT_DIR
    try:
        if args.action == "start":
            cluster = start(base_dir, workers=args.workers, cores=args.cores, memory=args.memory)
            print(f"# Spark standalone {cluster.master_url}: master + {cluster.workers} workers "
                  f"(pids {cluster.pids}), UI http://{cluster.host}:{cluster.master_webui_port}, "
                  f"files in {cluster.base_dir}", file=sys.stderr)
        elif args.action == "env":
            cluster = read_state(base_dir)
            if cluster is None:
                print(f"spark_cluster: no cluster in {base_dir}", file=sys.stderr)
                return 1
        else:
            stop(base_dir)
            print(f"# stopped and removed {base_dir}", file=sys.stderr)
            return 0
    except ClusterError as exc:
        print(f"spark_cluster: {exc}", file=sys.stderr)
        return 1
    _print_exports(cluster.env)
    return 0


def _print_exports(env: dict[str, str]) -> None:
    """Shell exports of a throwaway cluster's variables (`eval "$(csw pg-cluster start)"`)."""
    for key, value in env.items():
        print(f"export {key}={value!r}" if value else f"export {key}=")
