"""Command-line tasks: `flask --app wsgi seed-demo` and friends."""

import click

from portal.extensions import db


def register_commands(app):
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has places.")
    def seed_demo_command(if_empty):
        """Load the demo world (safe to run again)."""
        from portal.demo import DEMO_PASSWORD, demo_logins, seed_demo
        from portal.places.models import Place

        if if_empty and db.session.scalar(db.select(Place.id).limit(1)) is not None:
            click.echo("The database already has data; demo data not loaded.")
        else:
            seed_demo()
            click.echo("Demo data loaded.")
        click.echo(f"Demo sign-ins (password {DEMO_PASSWORD}):")
        for line in demo_logins():
            click.echo(line)

    @app.cli.command("backup")
    @click.argument("destination", required=False, type=click.Path(dir_okay=False))
    def backup_command(destination):
        """Copy the database while the portal serves (default: instance/backups/…).

        SQLite: the online backup API into one file. PostgreSQL: pg_dump --format=custom."""
        from pathlib import Path

        from portal.backup import backup, shown

        try:
            result = backup(app.config["SQLALCHEMY_DATABASE_URI"], destination,
                            folder=Path(app.instance_path) / "backups")
        except (ValueError, OSError, RuntimeError) as error:
            raise click.ClickException(str(error)) from error
        if result.missing_tool:
            click.echo("pg_dump is not installed here. Run, with the password in PGPASSWORD:")
            click.echo(shown(result.command))
            raise SystemExit(1)
        click.echo(f"Backup written to {result.path}")

    @app.cli.group("timebank")
    def timebank_group():
        """Time-bank tasks."""

    @timebank_group.command("verify")
    def verify_command():
        """Recompute every balance from the ledger's entries; exit 1 on any difference."""
        from portal.timebank.ledger import verify

        problems = verify()
        for problem in problems:
            click.echo(problem)
        click.echo(f"{len(problems)} problem(s) found." if problems
                   else "Every balance equals the sum of its entries.")
        if problems:
            raise SystemExit(1)

    @app.cli.group("funds")
    def funds_group():
        """Community-fund tasks."""

    @funds_group.command("verify")
    def funds_verify_command():
        """Recompute every fund balance from its entries; exit 1 on any problem."""
        from portal.funds.money import verify

        problems = verify()
        for problem in problems:
            click.echo(problem)
        click.echo(f"{len(problems)} problem(s) found." if problems
                   else "Every fund balance equals the sum of its entries.")
        if problems:
            raise SystemExit(1)

    @app.cli.group("jobs")
    def jobs_group():
        """Timed work (cron: every minute, on any number of machines)."""

    @jobs_group.command("run-due")
    def run_due_command():
        """Do whatever is due now (SMS sends and retries …); safe to run again at once."""
        from portal.notifications.jobs import run_due
        from portal.timeutil import utcnow

        failed = False
        for name, said, ok in run_due(utcnow()):
            click.echo(said if ok else f"{name} failed: {said}")
            failed = failed or not ok
        if failed:
            raise SystemExit(1)
