"""Public-schema tables of industry statistics: per-partner facts, disclosed cells, runs, targets and risks.

Partners' own schemas hold the raw rows; triggers there mark changed months in the schema's own
`insights_capture.Mark`; a run turns them into `Fact` rows (one per measure, month, dimensions and partner) and
combines those into `Cell`s.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Breakdown, CellStatus, PartStatus, RiskKind, RunKind, RunStatus, Source, TargetMetric


class DirtyMonth(models.Model):
    """Legacy: a partner's changed month, as the triggers marked it before insights_capture 0004.

    Nothing reads it any more: each schema's migration 0004 moves its rows into the schema's own marks, and a
    schema not yet migrated during an upgrade keeps writing here until its migration moves them. To be dropped
    (with `public.insights_mark_dirty()`) once every schema is past 0004.
    """

    schema_name = models.CharField(max_length=63)
    source = models.CharField(max_length=16, choices=Source.choices)
    month = models.DateField()
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "source", "month"], name="dirty_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.schema_name} {self.source} {self.month:%Y-%m}"


class Fact(models.Model):
    """One partner's figure for one measure, month and dimensions (d1, d2 mean what the measure says)."""

    measure = models.CharField(max_length=32)
    period = models.DateField()
    d1 = models.CharField(max_length=40, blank=True)
    d2 = models.CharField(max_length=40, blank=True)
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measure", "period", "d1", "d2", "partner"], name="fact_once"),
        ]
        indexes = [models.Index(fields=["partner", "measure", "period"], name="fact_partner_measure")]

    def __str__(self) -> str:
        return f"{self.measure} {self.period:%Y-%m} {self.d1}/{self.d2}: {self.value}"


class Cell(models.Model):
    """An alliance-wide figure as partners may see it: its value, how many contributed, and if it is suppressed."""

    measure = models.CharField(max_length=32)
    breakdown = models.CharField(max_length=20, choices=Breakdown.choices)
    period = models.DateField()
    key = models.CharField(max_length=40, blank=True, help_text="The breakdown's value; blank on the total.")
    value = models.DecimalField(max_digits=20, decimal_places=2)
    contributors = models.PositiveIntegerField()
    top_share = models.FloatField(help_text="The largest partner's share of the value, 0–1.")
    status = models.CharField(max_length=10, choices=CellStatus.choices)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measure", "breakdown", "period", "key"], name="cell_once"),
        ]
        ordering = ["measure", "breakdown", "period", "key"]

    def __str__(self) -> str:
        return f"{self.measure}/{self.breakdown} {self.period:%Y-%m} {self.key}: {self.value} ({self.status})"

    @property
    def suppressed(self) -> bool:
        return self.status != CellStatus.SHOWN


class Run(models.Model):
    """One pass of the pipeline: which partners it covered, how far it got and what went wrong."""

    kind = models.CharField(_("kind"), max_length=12, choices=RunKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    partners_total = models.PositiveIntegerField(_("partners"), default=0)
    partners_done = models.PositiveIntegerField(_("partners done"), default=0)
    months = models.JSONField(_("months recomputed"), default=list)
    facts_written = models.PositiveIntegerField(_("facts written"), default=0)
    cells_written = models.PositiveIntegerField(_("cells written"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("statistics run")
        verbose_name_plural = _("statistics runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def duration_s(self) -> float | None:
        if not self.finished_at:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 2)


class RunPartner(models.Model):
    """One partner's share of a run: done once, whatever the retries and redeliveries."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="parts")
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=PartStatus.choices, default=PartStatus.PENDING)
    months = models.JSONField(default=list, help_text="Months recomputed (ISO dates); empty on a full run.")
    facts_written = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "partner"], name="run_partner_once")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.partner_id}: {self.status}"


class Target(models.Model):
    """A goal the alliance set itself, e.g. 15 million vehicles a year by 2027."""

    metric = models.CharField(_("metric"), max_length=16, choices=TargetMetric.choices, unique=True)
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=0)
    year = models.PositiveSmallIntegerField(_("by the end of"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("alliance target")
        verbose_name_plural = _("alliance targets")
        ordering = ["metric"]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.value} by {self.year}"


class RiskRule(models.Model):
    """A warning rule staff tune: its threshold, and whether it runs."""

    kind = models.CharField(_("rule"), max_length=24, choices=RiskKind.choices, unique=True)
    threshold = models.FloatField(_("threshold"))
    enabled = models.BooleanField(_("enabled"), default=True)
    help = models.CharField(_("what the threshold means"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.threshold})"


class RiskWarning(models.Model):
    """A rule that fired in the latest run, for the alliance (no partner) or for one partner."""

    kind = models.CharField(max_length=24, choices=RiskKind.choices)
    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    period = models.DateField()
    subject = models.CharField(max_length=80, blank=True)
    value = models.FloatField()
    threshold = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "kind", "id"]
        indexes = [models.Index(fields=["partner", "-period"], name="warning_partner_period")]

    def __str__(self) -> str:
        return f"{self.kind} {self.partner_id or 'alliance'} {self.period:%Y-%m}: {self.value}"


class PolicyEvent(models.Model):
    """A policy date staff enter, so growth before and after it can be compared."""

    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class FunnelStage(models.Model):
    """The collaboration funnel at the last run: per stage, for one owner partner or the alliance (no partner)."""

    partner = models.ForeignKey("tenants.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    stage = models.CharField(max_length=16)
    reached = models.PositiveIntegerField(help_text="Projects that ever entered the stage.")
    current = models.PositiveIntegerField(help_text="Projects in the stage now.")
    median_days = models.FloatField(null=True, blank=True, help_text="Median days spent in the stage.")
    contributors = models.PositiveIntegerField(default=1, help_text="Owner partners counted (alliance rows).")
    top_share = models.FloatField(default=1.0)
    status = models.CharField(max_length=10, choices=CellStatus.choices, default=CellStatus.SHOWN)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "stage"], name="funnel_stage_once")]
        indexes = [models.Index(fields=["partner", "stage"], name="funnel_partner_stage")]

    def __str__(self) -> str:
        return f"{self.partner_id or 'alliance'} {self.stage}: {self.reached}"
