"""Anonymise clients past the retention period (UU PDP: data no longer needed is deleted or
anonymised). Run it from cron or by hand; ``--dry-run`` only counts."""

from django.core.management.base import BaseCommand, CommandError

from bapas.privacy import anonymise_due_clients, retention_cutoff, retention_years


class Command(BaseCommand):
    help = ("Anonymise clients whose last supervision order closed more than --years ago "
            "(default: the RETENTION_YEARS setting, 5 unless set). Statistics stay intact.")

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=retention_years(),
                            help="Retention period in years (default: RETENTION_YEARS, "
                                 "now %(default)s).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Count what would be anonymised; change nothing.")

    def handle(self, *args, years: int, dry_run: bool = False, **options):
        if years < 1:
            raise CommandError("--years must be at least 1")
        counts = anonymise_due_clients(years=years, dry_run=dry_run)
        cutoff = retention_cutoff(years)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"Clients whose last order closed before {cutoff:%Y-%m-%d} "
                          f"({years} years): {counts.clients} {verb}.")
        self.stdout.write(f"  documents: {counts.documents}, photos: {counts.photos}, "
                          f"generated documents: {counts.generated_documents}, "
                          f"case notes: {counts.case_notes}, "
                          f"imported spreadsheet rows: {counts.import_rows}, "
                          f"meetings (name taken out of the minutes): {counts.meetings}")
        if not dry_run:
            self.stdout.write(f"  old versions purged from the history tables: "
                              f"{counts.history_rows}")
