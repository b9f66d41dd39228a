"""Designs over files larger than memory: the sums by domain in SQL (DuckDB), the rest in the library.

``DatabaseDesign(source, weights, strata=None, psu=None)`` plays the part of R's database-backed
``svydesign(..., data = table, dbtype = ..., dbname = ...)`` (and of ``sqlsurvey``): the respondent
file stays on disk -- a Parquet or CSV file, or a table of a DuckDB connection -- and
:func:`~.proportions.proportion` and :func:`~.proportions.proportion_by_each` accept the design as
they accept a :class:`~.design.SurveyDesign`, returning the same table. DuckDB reads only the
columns a call needs and streams the file, so memory is bounded by its ``memory_limit`` and the
size of the aggregates, not by the file.

What SQL computes: the sufficient statistics of :mod:`.domain_sums`, as plain aggregates

    SELECT [stratum, psu,] g1, ..., gm, COUNT(*),
           COUNT(CASE WHEN <item i valid> THEN 1 END),
           SUM(CASE WHEN <item i in base> THEN CAST(w AS DOUBLE) ELSE 0 END), ... (per item)
    FROM source GROUP BY [stratum, psu,] g1, ..., gm

over the cross-classification of a batch of by columns (one query per batch, the batch chosen so
that it has at most :data:`_SQL_CELLS` cells): for every item, the base rows, missing rows, rows
with a non-zero weight, and the sums of w and w^2 over its base and positive answers -- by PSU within
stratum where the design has PSUs, by stratum where it has strata only. The library then adds the
cells of each by column over the other columns of its batch (exact for counts; sums in another
order, so equal to the in-memory route to rounding, about 1e-15 relative) and finishes with the
in-memory route's own functions: the closed form, the stratified variance of the PSU totals
``(B_j - p A_j) / W``, degrees of freedom from the PSUs with ``A_j > 0``, intervals, suppression and
flags; consensus verdicts follow from the table (:mod:`.consensus`). Two more scans check the
design columns (weights numeric, not missing, negative or infinite; no missing strata, PSU or by
labels) and find the design's (stratum, PSU) pairs.

The distributed route (documented, not built): the statements are ANSI aggregate SQL that Spark
SQL and BigQuery run as they are, once ``source`` is a table of theirs (``cell_queries`` prints
them). What would differ: (1) the FROM clause (here ``read_parquet('...')``/``read_csv('...')``);
(2) identifier quoting (double quotes here; backticks in Spark and BigQuery) and string literals
(``''`` escapes a quote here and in Spark; BigQuery uses a backslash); (3) the NaN test on floating
columns (``isnan`` here and in Spark, ``IS_NAN`` in BigQuery; CSV and Parquet files written by
pandas store NaN as NULL anyway); (4) ``CAST(w AS DOUBLE)`` is ``FLOAT64`` in BigQuery; (5) sums of
floats are added in an order that depends on the partitioning, so results agree with this route to
rounding (1e-15 relative), not bit for bit; counts are exact. The finishing step takes the
aggregate rows only (thousands, not millions), so it runs on the driver as it runs here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .answers import _as_list, check_answer_values
from .design import (check_lonely_psu, describe_values, stratified_variance,
                     variance_from_stratum_sums)
from .domain_sums import closed_form, domain_statistics, psu_statistics

#: cells (cluster x level combinations) a query's GROUP BY may produce at most, where by columns
#: can be put in separate queries (one per by column at worst)
_SQL_CELLS = 2**16

_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL")


def _identifier(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def _is_numeric(sql_type: str) -> bool:
    return sql_type.startswith(_NUMERIC) or sql_type.startswith("DECIMAL")


def _is_floating(sql_type: str) -> bool:
    return sql_type in ("FLOAT", "DOUBLE", "REAL")


@dataclass(frozen=True, eq=False, repr=False)
class DatabaseDesign:
    """A weights (+ optional strata and PSU) design over a file or table read by DuckDB.

    Parameters
    ----------
    source : str or pathlib.Path
        A Parquet (``.parquet``) or CSV (``.csv``, ``.csv.gz``) file, or the name of a table or view
        of ``connection``.
    weights, strata, psu, lonely_psu
        As :class:`~.design.SurveyDesign` (PSU labels nested within strata).
    connection : duckdb.DuckDBPyConnection, optional
        The connection to run the queries on (e.g. ``duckdb.connect(config={"memory_limit":
        "2GB"})``); default a new in-memory one.

    Raises
    ------
    ValueError
        A file that does not exist or a table the connection does not have; a missing column;
        weights that are not numbers, missing (NULL or NaN), infinite, negative or all zero; missing
        strata or PSU labels; a stratum with one PSU under ``lonely_psu="fail"`` -- naming the
        column, the values and the row count, as :class:`~.design.SurveyDesign`.
    """

    source: str | Path
    weights: str
    strata: str | None = None
    psu: str | None = None
    lonely_psu: str = "fail"
    connection: object = None
    #: the FROM clause of every query
    relation: str = field(init=False)
    #: column name -> DuckDB type of the source
    column_types: dict = field(init=False)
    n_rows: int = field(init=False)
    #: PSUs (rows, for strata without PSU) per stratum, strata in sorted order; [n] without strata
    psu_per_stratum: np.ndarray = field(init=False)
    stratum_starts: np.ndarray = field(init=False)
    #: the (stratum, psu) labels of the PSUs in order (strata, then PSUs, sorted), when PSUs given
    psu_labels: pd.DataFrame | None = field(init=False)

    def __post_init__(self) -> None:
        import duckdb  # the file route's engine, imported when a design is made

        check_lonely_psu(self.lonely_psu)
        connection = duckdb.connect() if self.connection is None else self.connection
        object.__setattr__(self, "connection", connection)
        object.__setattr__(self, "relation", self._relation())
        try:
            described = connection.execute(f"DESCRIBE SELECT * FROM {self.relation}").fetchall()
        except duckdb.Error as error:
            raise ValueError(f"source {str(self.source)!r} cannot be read: {error}") from error
        object.__setattr__(self, "column_types", {row[0]: row[1] for row in described})
        named = {"weights": self.weights, "strata": self.strata, "psu": self.psu}
        for role, column in named.items():
            if column is not None:
                self.require_columns([column], role)
        self._check_design_columns()
        self._find_strata_and_psus()

    def _relation(self) -> str:
        text = str(self.source)
        lower = text.lower()
        readers = {".parquet": "read_parquet", ".csv": "read_csv", ".csv.gz": "read_csv"}
        reader = next((r for suffix, r in readers.items() if lower.endswith(suffix)), None)
        if reader is None:
            return _identifier(text)
        if not any(ch in text for ch in "*?[") and not Path(text).exists():
            raise ValueError(f"source file {text!r} does not exist")
        return f"{reader}({_literal(text)})"

    def require_columns(self, columns, role: str) -> None:
        """Raise ``ValueError`` naming every column in ``columns`` that the source lacks."""
        missing = [c for c in columns if c not in self.column_types]
        if missing:
            rows = f"{self.n_rows} rows" if hasattr(self, "n_rows") else "source"
            raise ValueError(
                f"{role} column(s) {describe_values(missing)} not found in {str(self.source)!r} "
                f"({rows}; columns: {describe_values(list(self.column_types), limit=12)})")

    def _query(self, sql: str) -> pd.DataFrame:
        return self.connection.execute(sql).df()

    def _check_design_columns(self) -> None:
        """One scan: rows, and the weight, strata and PSU checks of :class:`~.design.SurveyDesign`."""
        w, kind = _identifier(self.weights), self.column_types[self.weights]
        if not _is_numeric(kind):
            raise ValueError(f"weights column {self.weights!r} is not numeric (type {kind}) in "
                             f"{str(self.source)!r}")
        nan = f" OR isnan({w})" if _is_floating(kind) else ""
        checks = {
            "rows": "COUNT(*)",
            "missing (NULL or NaN) weights": f"COUNT(CASE WHEN {w} IS NULL{nan} THEN 1 END)",
            "infinite weights": (f"COUNT(CASE WHEN isinf({w}) THEN 1 END)" if _is_floating(kind)
                                 else "0"),
            "negative weights": f"COUNT(CASE WHEN {w} < 0 THEN 1 END)",
            "positive": f"COUNT(CASE WHEN {w} > 0 THEN 1 END)",
        }
        for role in ("strata", "psu"):
            column = getattr(self, role)
            if column is not None:
                checks[role] = f"COUNT(CASE WHEN {_identifier(column)} IS NULL THEN 1 END)"
        found = self._query("SELECT " + ", ".join(f"{sql} AS {_identifier(name)}"
                                                  for name, sql in checks.items())
                            + f" FROM {self.relation}").iloc[0]
        n = int(found["rows"])
        object.__setattr__(self, "n_rows", n)
        if n == 0:
            raise ValueError(f"source {str(self.source)!r} is empty (0 rows)")
        for what in ("missing (NULL or NaN) weights", "infinite weights", "negative weights"):
            if found[what]:
                condition = {"missing (NULL or NaN) weights": f"{w} IS NULL{nan}",
                             "infinite weights": f"isinf({w})", "negative weights": f"{w} < 0"}[what]
                values = self._query(f"SELECT DISTINCT {w} AS v FROM {self.relation} WHERE "
                                     f"{condition} LIMIT 6")["v"].tolist()
                raise ValueError(f"weights column {self.weights!r} has {what} in {int(found[what])} "
                                 f"of {n} rows (values: {describe_values(values)})")
        if not found["positive"]:
            raise ValueError(f"weights column {self.weights!r} is zero in all {n} rows")
        for role in ("strata", "psu"):
            if role in found and found[role]:
                raise ValueError(f"{role} column {getattr(self, role)!r} has {int(found[role])} "
                                 f"missing value(s) out of {n} rows; every row needs a {role}")

    def _find_strata_and_psus(self) -> None:
        """The PSUs of each stratum (one scan), and the lonely-PSU check."""
        if self.strata is None and self.psu is None:
            counts, labels = np.array([self.n_rows]), None
        else:
            keys = [c for c in (self.strata, self.psu) if c is not None]
            aliases = ["s", "p"][:len(keys)] if self.strata is not None else ["p"]
            select = ", ".join(f"{_identifier(c)} AS {a}" for c, a in zip(keys, aliases))
            table = self._query(f"SELECT {select}, COUNT(*) AS n FROM {self.relation} "
                                f"GROUP BY {', '.join(map(_identifier, keys))}")
            if self.strata is None:  # PSUs only: one stratum
                counts, labels = np.array([len(table)]), table[["p"]].sort_values("p")
                labels = labels.assign(s=0)[["s", "p"]].reset_index(drop=True)
            elif self.psu is None:  # strata only: every row its own PSU
                table = table.sort_values("s").reset_index(drop=True)
                counts, labels = table["n"].to_numpy(dtype=np.int64), None
                strata = table["s"]
            else:
                labels = table[["s", "p"]].sort_values(["s", "p"]).reset_index(drop=True)
                counts = labels.groupby("s", sort=True).size().to_numpy(dtype=np.int64)
            if self.strata is not None and self.psu is not None:
                strata = labels["s"].drop_duplicates()
            lonely = np.flatnonzero(counts == 1)
            if len(lonely) and self.lonely_psu == "fail":
                raise ValueError(
                    f"strata column {self.strata!r}: stratum/strata "
                    f"{describe_values(list(pd.Series(strata).iloc[lonely]))} contain only one PSU "
                    f"({self.n_rows} rows); the with-replacement variance needs at least two PSUs "
                    f"per stratum (R survey's lonely.psu = 'fail'; lonely_psu= takes R's other "
                    f"options)")
        object.__setattr__(self, "psu_per_stratum", counts)
        object.__setattr__(self, "stratum_starts", np.concatenate([[0], np.cumsum(counts)[:-1]]))
        object.__setattr__(self, "psu_labels", labels)

    def __repr__(self) -> str:
        return (f"DatabaseDesign({str(self.source)!r}, {self.n_rows} rows, weights={self.weights!r}, "
                f"strata={self.strata!r}, psu={self.psu!r})")

    # --- the answers in SQL ----------------------------------------------------------------------
    def _item_conditions(self, variables: list, positive, missing_values) -> tuple[list, list]:
        """Per item, the SQL conditions ``(valid, positive)``, after the checks of
        :func:`~.answers.check_answer_values` (literals only of the item's own kind: a value of
        another kind never matches, as in the in-memory comparison)."""
        self.require_columns(variables, "variable")
        kinds = [self.column_types[v] for v in variables]
        numeric = [_is_numeric(kind) for kind in kinds]
        first = variables[numeric.index(True)] if any(numeric) else None
        positives, missing = check_answer_values(
            variables, positive, missing_values,
            None if first is None else (first, self.column_types[first], self.n_rows))
        valid_conditions, positive_conditions = [], []
        for variable, kind in zip(variables, kinds):
            column = _identifier(variable)

            def matching(values):
                if _is_numeric(kind):
                    return [v for v in values if not isinstance(v, (bool, np.bool_, str))]
                if kind == "BOOLEAN":
                    return [v for v in values if isinstance(v, (bool, np.bool_))]
                return [v for v in values if isinstance(v, str)]
            valid = f"{column} IS NOT NULL" + (f" AND NOT isnan({column})" if _is_floating(kind)
                                               else "")
            codes = matching(missing)
            if codes:
                valid += f" AND {column} NOT IN ({', '.join(map(_literal, codes))})"
            answers = matching(positives)
            is_positive = (f"({valid}) AND {column} IN ({', '.join(map(_literal, answers))})"
                           if answers else "FALSE")
            valid_conditions.append(valid)
            positive_conditions.append(is_positive)
        return valid_conditions, positive_conditions

    def _check_by_columns(self, by_columns: list) -> dict:
        """Missing by labels are an error (one scan); returns each column's number of levels."""
        if not by_columns:
            return {}
        parts = []
        for j, column in enumerate(by_columns):
            name, kind = _identifier(column), self.column_types[column]
            nan = f" OR isnan({name})" if _is_floating(kind) else ""
            parts += [f"COUNT(CASE WHEN {name} IS NULL{nan} THEN 1 END) AS m{j}",
                      f"COUNT(DISTINCT {name}) AS k{j}"]
        found = self._query(f"SELECT {', '.join(parts)} FROM {self.relation}").iloc[0]
        for j, column in enumerate(by_columns):
            if found[f"m{j}"]:
                raise ValueError(
                    f"by column {column!r} has {int(found[f'm{j}'])} missing value(s) out of "
                    f"{self.n_rows} rows; recode them to a level (e.g. 'missing') so that no row "
                    f"is silently dropped")
        return {column: int(found[f"k{j}"]) for j, column in enumerate(by_columns)}

    def _batches(self, groupings: list[list[str]], levels: dict) -> list[list[int]]:
        """Groupings in consecutive batches whose by columns' cross-classification, times the
        clusters the query keys on, has at most :data:`_SQL_CELLS` cells (one grouping at least)."""
        clusters = (1 if self.strata is None and self.psu is None else
                    len(self.psu_per_stratum) if self.psu is None else len(self.psu_labels))
        batches, current, columns = [], [], []
        for j, grouping in enumerate(groupings):
            wider = columns + [c for c in grouping if c not in columns]
            cells = clusters * int(np.prod([levels[c] for c in wider]))
            if current and cells > _SQL_CELLS:
                batches.append(current)
                current, wider = [], list(grouping)
            current.append(j)
            columns = wider
        return batches + [current]

    def cell_queries(self, variables, positive, groupings: list[list[str]], missing_values=(),
                     include_missing: bool = False) -> list[tuple[list[int], str, dict]]:
        """The aggregate queries for ``groupings`` (lists of by columns), one per batch: returns
        ``(grouping indices, SQL, {statistic: output column})`` for each. The statistics are
        ``("rows",)``, ``(name, item)`` for ``n_valid``, ``n_base``, ``n_nonzero``, ``total``,
        ``w2_total``, ``positive``, ``positive_w2`` (weights-only and strata-only designs), and
        ``("seen", item, k)`` for the k-th positive answer (first query only)."""
        variables = _as_list(variables)
        by_columns = list(dict.fromkeys(c for grouping in groupings for c in grouping))
        self.require_columns(by_columns, "by")
        valid, is_positive = self._item_conditions(variables, positive, missing_values)
        levels = self._check_by_columns(by_columns)
        keys = [(self.strata, "s"), (self.psu, "p")]
        keys = [(column, alias) for column, alias in keys if column is not None]
        w = f"CAST({_identifier(self.weights)} AS DOUBLE)"
        squares = self.psu is None  # the closed forms need sums of w^2 over the positive answers
        positives = _as_list(positive)
        queries = []
        for number, batch in enumerate(self._batches(groupings, levels)):
            columns = list(dict.fromkeys(c for j in batch for c in groupings[j]))
            select = [f"{_identifier(c)} AS {a}" for c, a in keys]
            select += [f"{_identifier(c)} AS g{by_columns.index(c)}" for c in columns]
            aggregates = {("rows",): "COUNT(*)"}
            for i, variable in enumerate(variables):
                base = "TRUE" if include_missing else valid[i]
                aggregates[("n_valid", i)] = f"COUNT(CASE WHEN {valid[i]} THEN 1 END)"
                aggregates[("n_base", i)] = f"COUNT(CASE WHEN {base} THEN 1 END)"
                aggregates[("n_nonzero", i)] = f"COUNT(CASE WHEN ({base}) AND {w} > 0 THEN 1 END)"
                aggregates[("total", i)] = f"SUM(CASE WHEN {base} THEN {w} ELSE 0 END)"
                aggregates[("w2_total", i)] = f"SUM(CASE WHEN {base} THEN {w} * {w} ELSE 0 END)"
                aggregates[("positive", i)] = f"SUM(CASE WHEN {is_positive[i]} THEN {w} ELSE 0 END)"
                if squares:
                    aggregates[("positive_w2", i)] = (f"SUM(CASE WHEN {is_positive[i]} THEN "
                                                      f"{w} * {w} ELSE 0 END)")
                if number == 0:
                    for k, answer in enumerate(positives):
                        aggregates[("seen", i, k)] = (f"COUNT(CASE WHEN {_identifier(variable)} = "
                                                      f"{_literal(answer)} THEN 1 END)")
            named, output, aliases = {}, {}, {}
            for statistic, sql in aggregates.items():  # identical expressions computed once
                if sql not in aliases:
                    aliases[sql] = f"a{len(aliases)}"
                    named[aliases[sql]] = sql
                output[statistic] = aliases[sql]
            select += [f"{sql} AS {alias}" for alias, sql in named.items()]
            group = [_identifier(c) for c, _ in keys] + [_identifier(c) for c in columns]
            sql = (f"SELECT {', '.join(select)}\nFROM {self.relation}"
                   + (f"\nGROUP BY {', '.join(group)}" if group else ""))
            queries.append((batch, sql, output))
        return queries

    def _require_seen(self, first: pd.DataFrame, output: dict, variables: list, positive) -> None:
        for k, answer in enumerate(_as_list(positive)):
            for i, variable in enumerate(variables):
                if first[output[("seen", i, k)]].sum() == 0:
                    observed = self._query(f"SELECT DISTINCT {_identifier(variable)} AS v FROM "
                                           f"{self.relation} WHERE {_identifier(variable)} IS NOT "
                                           f"NULL")["v"].tolist()
                    raise ValueError(
                        f"positive value {answer!r} never occurs in column {variable!r} "
                        f"({self.n_rows} rows; values seen: "
                        f"{describe_values(sorted(observed, key=str), 10)})")

    def domain_statistics(self, variables: list, positive, missing_values, include_missing: bool,
                          groupings: list[list[str]]) -> list[tuple[dict, dict]]:
        """For each grouping (a list of by columns, cross-classified; [] for the whole sample), its
        levels ``{column: values}`` (observed combinations, sorted) and the statistics of
        :func:`~.domain_sums.domain_statistics`, arrays (items, levels), from the queries of
        :meth:`cell_queries`."""
        variables = _as_list(variables)
        n_items = len(variables)
        results = [None] * len(groupings)
        for number, (batch, sql, output) in enumerate(
                self.cell_queries(variables, positive, groupings, missing_values, include_missing)):
            cells = self._query(sql)
            if number == 0:
                self._require_seen(cells, output, variables, positive)
            by_columns = list(dict.fromkeys(c for grouping in groupings for c in grouping))
            for j in batch:
                keys = [f"g{by_columns.index(c)}" for c in groupings[j]]
                results[j] = self._grouping_statistics(cells, output, keys, groupings[j], n_items)
        return results

    def _grouping_statistics(self, cells: pd.DataFrame, output: dict, keys: list, columns: list,
                             n_items: int) -> tuple[dict, dict]:
        """One grouping's levels and statistics from its batch's cells."""
        names = {statistic: alias for statistic, alias in output.items() if statistic[0] != "seen"}
        values = cells[list(dict.fromkeys(names.values()))]
        if keys:
            domains = values.groupby([cells[k] for k in keys], sort=True).sum()
            levels = domains.index.to_frame(index=False)
            found = {column: levels[k].to_numpy() for column, k in zip(columns, keys)}
        else:
            domains = values.sum().to_frame().T
            found = {}

        def by_domain(name):  # (items, levels)
            return np.vstack([domains[names[(name, i)]].to_numpy(dtype=np.float64)
                              for i in range(n_items)])
        rows = domains[names[("rows",)]].to_numpy(dtype=np.float64)
        n, n_nonzero = by_domain("n_base"), by_domain("n_nonzero")
        n_missing = rows[None, :] - by_domain("n_valid")
        total, w2_total = by_domain("total"), by_domain("w2_total")
        if self.strata is None and self.psu is None:
            p, var = closed_form(self.n_rows, by_domain("positive"), total, by_domain("positive_w2"),
                                 w2_total)
            df = n_nonzero - 1
        elif self.psu is None:
            p, var, df = self._strata_only(cells, names, keys, domains.index, n_items)
        else:
            total, p, var, df = self._by_psu(cells, names, keys, domains.index, n_items)
        statistics = domain_statistics(n.astype(np.int64), n_missing.astype(np.int64), total,
                                       w2_total, p, var, df.astype(np.int64),
                                       n_nonzero.astype(np.int64))
        return found, statistics

    def _cluster_sums(self, cells, names, keys, domain_index, cluster_keys, clusters, statistics,
                      n_items) -> dict:
        """``{statistic: (items, levels, clusters)}``: the cells added up by (cluster, level)."""
        values = cells[list(dict.fromkeys(names[(s, i)] for s in statistics for i in range(n_items)))]
        by = cluster_keys + keys
        grouped = values.groupby([cells[k] for k in by], sort=True).sum()
        cells_wanted = (clusters.merge(domain_index.to_frame(index=False), how="cross")
                        if keys else clusters)
        full = (pd.MultiIndex.from_frame(cells_wanted[by]) if len(by) > 1
                else pd.Index(cells_wanted[by[0]], name=by[0]))
        grouped = grouped.reindex(full, fill_value=0.0)  # cells without rows hold zeros
        k = len(domain_index) if keys else 1
        return {s: np.stack([grouped[names[(s, i)]].to_numpy(dtype=np.float64).reshape(-1, k).T
                             for i in range(n_items)]) for s in statistics}

    def _by_psu(self, cells, names, keys, domain_index, n_items):
        """PSU totals ``A``, ``B`` of every domain, then :func:`~.domain_sums.psu_statistics`."""
        clusters = self.psu_labels.rename(columns={"s": "s", "p": "p"})
        cluster_keys = ["s", "p"] if self.strata is not None else ["p"]
        if self.strata is None:
            clusters = clusters[["p"]]
        sums = self._cluster_sums(cells, names, keys, domain_index, cluster_keys, clusters,
                                  ["total", "positive"], n_items)
        return psu_statistics(sums["total"], sums["positive"], self.psu_per_stratum,
                              self.stratum_starts,
                              lambda z: stratified_variance(z, self.psu_per_stratum,
                                                            self.stratum_starts, self.lonely_psu))

    def _strata_only(self, cells, names, keys, domain_index, n_items):
        """Strata without PSU: the closed forms within each stratum (as
        :func:`~.domain_sums.strata_sums`)."""
        strata = pd.DataFrame({"s": np.sort(cells["s"].unique())})
        sums = self._cluster_sums(cells, names, keys, domain_index, ["s"], strata,
                                  ["total", "positive", "w2_total", "positive_w2", "n_nonzero"],
                                  n_items)
        total = sums["total"].sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = sums["positive"].sum(axis=-1) / total
            squares = (sums["positive_w2"] * (1 - p[..., None]) ** 2
                       + (sums["w2_total"] - sums["positive_w2"]) * p[..., None] ** 2)
            var = variance_from_stratum_sums(
                squares / total[..., None] ** 2,
                (sums["positive"] - p[..., None] * sums["total"]) / total[..., None],
                self.psu_per_stratum, self.lonely_psu)
        n_nonzero = sums["n_nonzero"].sum(axis=-1)
        return p, var, n_nonzero - (sums["n_nonzero"] > 0).sum(axis=-1)
