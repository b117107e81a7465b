"""The dashboard's figures on the demo warehouse equal independent SQL over the marts.

Every page is run (Streamlit's AppTest) for France alone, France and two regions, and all 12
regions; what its charts and figures show is read back from the page and compared with SQL
written here, over the marts, as the admin. France is the sum of its 12 regions, so a chart
that added France to its regions would show more than the mart holds.
"""

from __future__ import annotations

import base64
import json
from datetime import date

import numpy as np
import pytest

from tests.demo_warehouse import DemoWarehouse, app_on_demo_warehouse, run_page

pytestmark = pytest.mark.e2e

REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93"]
SELECTIONS = {
    "France": ["FR"],
    "France and two regions": ["FR", "53", "11"],
    "all 12 regions": REGIONS,
}
WINTER = ("2024-12-01", "2025-02-28")
PERIOD = ["2024-11-01", "2025-02-28"]


@pytest.fixture
def app_env(tmp_path_factory, monkeypatch) -> DemoWarehouse:
    return app_on_demo_warehouse(tmp_path_factory, monkeypatch)


def traces(app, chart: int) -> list[dict]:
    """A chart's traces, with Plotly's typed arrays ({"dtype", "bdata"}) decoded."""
    data = json.loads(app.get("plotly_chart")[chart].proto.spec)["data"]
    for trace in data:
        for axis in ("x", "y"):
            value = trace.get(axis)
            if isinstance(value, dict) and "bdata" in value:
                trace[axis] = np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"])
            elif isinstance(value, list) and all(
                v is None or isinstance(v, int | float) for v in value
            ):
                trace[axis] = np.array(value, dtype=float)  # None (no data) as NaN
    return data


def metric(app, label_part: str) -> str:
    return next(m.value for m in app.metric if label_part in m.label)


def names(warehouse: DemoWarehouse) -> dict[str, str]:
    return dict(warehouse.sql("select region_code, region_name from marts.dim_regions"))


def link(regions: list[str], period: list[str] = PERIOD, **more) -> dict:
    return {"period": period, "regions": regions, **more}


@pytest.mark.parametrize("selection", SELECTIONS)
def test_energy_mix_shows_each_region_as_the_mart_holds_it(app_env, selection) -> None:
    regions = SELECTIONS[selection]
    app = run_page("energy_mix", link(regions))
    assert not app.exception, app.exception
    shown: dict[tuple[str, str], float] = {}
    for trace in traces(app, 0):
        shown[trace["meta"], trace["name"]] = float(np.nansum(trace["y"]))
    assert {code for code, _ in shown} == set(regions)  # one panel per region, no sum of them
    for code in regions:
        expected = app_env.sql(
            "select sum(nuclear_mwh) / 1e3, sum(wind_mwh) / 1e3, sum(consumption_mwh) / 1e3"
            " from marts.fct_energy_mix_monthly where region_code = %s"
            " and month_start_date between date_trunc('month', cast(%s as date)) and %s",
            (code, *PERIOD),
        )[0]
        for name, value in zip(["Nuclear", "Wind", "Consumption"], expected, strict=True):
            assert shown[code, name] == pytest.approx(value or 0, rel=1e-9), (code, name)


def test_france_is_not_added_to_its_regions(app_env) -> None:
    """The issue's case: France + Bretagne + Île-de-France for January 2025 shows France's own
    consumption in France's panel, not France plus two regions."""
    app = run_page("energy_mix", link(["FR", "53", "11"], ["2025-01-01", "2025-01-31"]))
    france = sum(
        float(np.nansum(trace["y"]))
        for trace in traces(app, 0)
        if trace["meta"] == "FR" and trace["name"] == "Consumption"
    )
    (expected,) = app_env.sql(
        "select sum(consumption_mwh) / 1e3 from marts.fct_energy_mix_monthly"
        " where region_code = 'FR' and month_start_date = '2025-01-01'"
    )[0]
    (regions,) = app_env.sql(
        "select sum(consumption_mwh) / 1e3 from marts.fct_energy_mix_monthly"
        " where region_code <> 'FR' and month_start_date = '2025-01-01'"
    )[0]
    assert france == pytest.approx(expected) and regions == pytest.approx(expected, rel=1e-6)


def thermosensitivity(
    warehouse: DemoWarehouse, regions: list[str], season: str
) -> dict[str, tuple[float, float]]:
    """The mart's (slope, intercept) of each region for one winter season."""
    rows = warehouse.sql(
        "select region_code, thermosensitivity_mw_per_c, intercept_mw"
        " from marts.fct_thermosensitivity where region_code = any(%s) and winter_season = %s",
        (regions, season),
    )
    return {code: (slope, intercept) for code, slope, intercept in rows}


@pytest.mark.parametrize("selection", SELECTIONS)
def test_temperature_points_lines_and_slopes_match_the_marts(app_env, selection) -> None:
    regions = SELECTIONS[selection]
    app = run_page("temperature", link(regions))
    assert not app.exception, app.exception
    label = names(app_env)
    points = {trace["name"]: trace for trace in traces(app, 0) if trace["mode"] == "markers"}
    for code in regions:
        count, total = app_env.sql(
            "select count(*), sum(mean_consumption_mw) from marts.fct_consumption_daily"
            " where region_code = %s and consumption_date between %s and %s"
            " and is_complete_day and mean_temperature_c is not null",
            (code, *PERIOD),
        )[0]
        assert len(points[label[code]]["y"]) == count
        assert float(np.sum(points[label[code]]["y"])) == pytest.approx(total)
    # the headline and every line are fct_thermosensitivity's fit of the season, not the page's
    fits = thermosensitivity(app_env, regions, "2024-2025")
    assert metric(app, "winter 2024-2025: slope") == f"{fits[regions[0]][0]:,.0f} MW/°C"
    lines = [trace for trace in traces(app, 0) if trace["mode"] == "lines"]
    assert sorted(line["meta"] for line in lines) == sorted(regions)
    for line in lines:
        slope, intercept = fits[line["meta"]]
        assert line["y"] == pytest.approx(intercept - slope * line["x"])
    # the weekly line: one point per week and region, means of the mart's days
    weekly = {
        trace["name"]: trace
        for trace in traces(app, 2)
        if trace["mode"] == "lines+markers" and trace["name"] in label.values()
    }
    for code in regions:
        rows = app_env.sql(
            "select avg(mean_consumption_mw) from marts.fct_consumption_daily"
            " where region_code = %s and consumption_date between %s and %s"
            " group by date_trunc('week', consumption_date) order by 1",
            (code, *PERIOD),
        )
        assert sorted(weekly[label[code]]["y"]) == pytest.approx([row[0] for row in rows])


@pytest.mark.parametrize(
    "period",
    [["2024-10-01", "2025-03-31"], ["2025-01-01", "2025-01-31"], ["2024-10-01", "2024-10-15"]],
    ids=["all the data", "January", "half of October"],
)
def test_any_period_shows_the_whole_season_it_overlaps_as_fitted_by_the_mart(
    app_env, period
) -> None:
    """A period picks the winter seasons it overlaps; each is the mart's fit of the whole
    season, and the page says so, whatever part of the season the period covers."""
    app = run_page("temperature", link(["FR", "53"], period))
    assert not app.exception, app.exception
    (slope,) = app_env.sql(
        "select thermosensitivity_mw_per_c from marts.fct_thermosensitivity"
        " where region_code = 'FR' and winter_season = '2024-2025'"
    )[0]
    assert metric(app, "France, winter 2024-2025: slope") == f"{slope:,.0f} MW/°C"
    seasons = app.dataframe[0].value
    expected = app_env.sql(
        "select region_code, winter_season, thermosensitivity_mw_per_c, day_count"
        " from marts.fct_thermosensitivity where region_code in ('FR', '53') order by 1, 2"
    )
    label = names(app_env)
    assert sorted(
        zip(
            seasons["region"],
            seasons["winter_season"],
            seasons["thermosensitivity_mw_per_c"],
            seasons["day_count"],
            strict=True,
        )
    ) == sorted((label[code], season, s, days) for code, season, s, days in expected)
    assert any("whole season" in caption.value for caption in app.caption)


@pytest.mark.parametrize("selection", SELECTIONS)
def test_renewables_match_the_marts(app_env, selection) -> None:
    regions = SELECTIONS[selection]
    app = run_page("renewables", link(regions, granularity="month"))
    assert not app.exception, app.exception
    label = names(app_env)
    solar = {trace["name"]: trace for trace in traces(app, 0)}
    for code in regions:
        (total,) = app_env.sql(
            "select sum(solar_mwh) from marts.fct_renewables_weather"
            " where region_code = %s and consumption_date between %s and %s",
            (code, *PERIOD),
        )[0]
        assert float(np.nansum(solar[label[code]]["y"])) == pytest.approx(total)


@pytest.mark.parametrize("selection", SELECTIONS)
def test_overview_and_regions_pages_match_the_marts(app_env, selection) -> None:
    """These pages show every region whatever the selection; their figures stay the mart's."""
    app = run_page("overview", link(SELECTIONS[selection]))
    assert not app.exception, app.exception
    months, twh, renewable = app_env.sql(
        "select count(*), sum(consumption_mwh) / 1e6,"
        " sum(renewable_share * production_mwh) / sum(production_mwh)"
        " from marts.fct_energy_mix_monthly"
        " where region_code = 'FR' and month_start_date <= '2025-02-28'"
        " and month_start_date > date '2025-02-01' - interval '12 months'"
    )[0]
    assert metric(app, "Consumption (TWh)") == f"{twh:,.1f} TWh"
    assert metric(app, "Renewable share") == f"{100 * renewable:,.1f} %"
    assert [h.value for h in app.subheader if h.value.startswith("France, ")] == [
        f"France, {months} months to Feb 2025"
    ]
    (france_gw,) = app_env.sql(
        "select avg(mean_consumption_mw) / 1e3 from marts.fct_consumption_daily"
        " where region_code = 'FR' and consumption_date between %s and %s",
        tuple(PERIOD),
    )[0]
    assert metric(app, "France (GW)") == f"{france_gw:,.1f} GW"

    app = run_page("regions", link(SELECTIONS[selection]))
    label = names(app_env)
    bars = traces(app, 0)[0]
    shown = dict(zip(bars["y"], bars["x"], strict=True))
    for code, balance in app_env.sql(
        "select region_code, sum(balance_mwh) / 1e3 from marts.fct_regional_balance"
        " where region_code <> 'FR' and month_start_date between %s and %s group by 1",
        ("2024-11-01", PERIOD[1]),
    ):
        assert shown[label[code]] == pytest.approx(balance)
    # seasons: the mean month of each season, whatever its length in the period
    seasons = {
        trace["name"]: dict(zip(trace["x"], trace["y"], strict=True)) for trace in traces(app, 1)
    }
    assert set(seasons) == {"autumn 2024 (1 month)", "winter 2024-25 (3 months)"}
    (winter,) = app_env.sql(
        "select avg(balance_mwh) / 1e3 from marts.fct_regional_balance"
        " where region_code = '53' and month_start_date between %s and %s",
        WINTER,
    )[0]
    assert seasons["winter 2024-25 (3 months)"]["Bretagne"] == pytest.approx(winter)


def test_the_overview_headline_says_how_many_months_it_covers(app_env) -> None:
    app = run_page("overview")
    assert "France, 6 months to Mar 2025" in [h.value for h in app.subheader]


def top_days(warehouse: DemoWarehouse, code: str, start: str, end: str) -> list[date]:
    rows = warehouse.sql(
        "select consumption_date from marts.fct_consumption_daily"
        " where region_code = %s and consumption_date between %s and %s and is_complete_day"
        " order by peak_consumption_mw desc, consumption_date limit 10",
        (code, start, end),
    )
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    "period",
    [("2025-01-01", "2025-01-31"), ("2025-03-01", "2025-03-31"), WINTER],
    ids=["January", "March", "winter"],
)
@pytest.mark.parametrize("selection", SELECTIONS)
def test_peaks_are_the_ten_highest_days_of_the_period(app_env, period, selection) -> None:
    regions = SELECTIONS[selection]
    app = run_page("peaks", link(regions, list(period)))
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    label = names(app_env)
    for code in regions:
        days = table[table["region_name"] == label[code]]
        assert list(days["rank_in_period"]) == list(range(1, 11))
        assert list(days["consumption_date"]) == top_days(app_env, code, *period)
    bars = traces(app, 0)
    assert sum(len(trace["x"]) for trace in bars) == 10 * len(regions)


def test_pipeline_counts_match_the_load_log(app_env) -> None:
    app = run_page("pipeline")
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    expected = app_env.sql("select table_name, row_count from marts.fct_pipeline_loads")
    assert sorted(zip(table["table_name"], table["row_count"], strict=True)) == sorted(
        (name, f"{count:,}") for name, count in expected
    )
    assert set(table["load_status"]) == {"loaded"}
    assert table["loaded_at"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC").all()
    assert any("demo data" in info.value for info in app.info)
