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

from .answers import as_list, check_answer_values
from .design import (check_lonely_psu, describe_values, stratified_variance,
                     variance_from_stratum_sums)
from .domain_sums import closed_form, domain_statistics, psu_statistics

#: cells (cluster x level combinations) a query's GROUP BY may produce at most, where by columns
#: can be put in separate queries (one per by column at worst)
_SQL_CELLS = 2**17

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
    #: the labels of the PSUs in order (columns ``s``, ``p``: strata, then PSUs, sorted; ``s`` is 0
    #: without strata), when PSUs are given
    psu_labels: pd.DataFrame | None = field(init=False)
    #: the strata in order (column ``s``), for strata without PSU
    strata_labels: pd.DataFrame | None = field(init=False)
    #: whether any row has weight zero (then the rows with a non-zero weight are counted apart)
    has_zero_weights: bool = field(init=False)

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
            "zero": f"COUNT(CASE WHEN {w} = 0 THEN 1 END)",
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
        object.__setattr__(self, "has_zero_weights", bool(found["zero"]))
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
        psu_labels = strata_labels = None
        if self.psu is not None:
            keys = ([f"{_identifier(self.strata)} AS s"] if self.strata is not None else ["0 AS s"])
            psu_labels = self._query(
                f"SELECT DISTINCT {keys[0]}, {_identifier(self.psu)} AS p FROM {self.relation}"
            ).sort_values(["s", "p"]).reset_index(drop=True)
            counts = psu_labels.groupby("s", sort=True).size()
        elif self.strata is not None:  # every row its own PSU
            counts = self._query(f"SELECT {_identifier(self.strata)} AS s, COUNT(*) AS n FROM "
                                 f"{self.relation} GROUP BY {_identifier(self.strata)}"
                                 ).set_index("s")["n"].sort_index()
            strata_labels = pd.DataFrame({"s": counts.index.to_numpy()})
        else:
            counts = pd.Series([self.n_rows])
        lonely = counts.index[counts.to_numpy() == 1]
        if len(lonely) and self.lonely_psu == "fail":
            raise ValueError(
                f"strata column {self.strata!r}: stratum/strata {describe_values(list(lonely))} "
                f"contain only one PSU ({self.n_rows} rows); the with-replacement variance needs "
                f"at least two PSUs per stratum (R survey's lonely.psu = 'fail'; lonely_psu= takes "
                f"R's other options)")
        counts = counts.to_numpy(dtype=np.int64)
        object.__setattr__(self, "psu_per_stratum", counts)
        object.__setattr__(self, "stratum_starts", np.concatenate([[0], np.cumsum(counts)[:-1]]))
        object.__setattr__(self, "psu_labels", psu_labels)
        object.__setattr__(self, "strata_labels", strata_labels)

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

            def matching(values):  # the values that can equal an answer of this column
                if _is_numeric(kind):
                    return [float(v) if isinstance(v, (bool, np.bool_)) else v
                            for v in values if not isinstance(v, str)]
                if kind == "BOOLEAN":
                    return [bool(v) for v in values if not isinstance(v, str) and v in (0, 1)]
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

    def _check_columns(self, variables: list, positive, by_columns: list) -> dict:
        """One scan: missing by labels are an error, and so is a positive answer that never occurs
        in an item (as :func:`~.answers.answer_states`). Returns each by column's number of
        levels."""
        parts = []
        for j, column in enumerate(by_columns):
            name, kind = _identifier(column), self.column_types[column]
            nan = f" OR isnan({name})" if _is_floating(kind) else ""
            parts += [f"COUNT(CASE WHEN {name} IS NULL{nan} THEN 1 END) AS m{j}",
                      f"COUNT(DISTINCT {name}) AS k{j}"]
        parts += [f"ARRAY_AGG(DISTINCT {_identifier(v)}) AS v{i}" for i, v in enumerate(variables)]
        found = self._query(f"SELECT {', '.join(parts)} FROM {self.relation}").iloc[0]
        for j, column in enumerate(by_columns):
            if found[f"m{j}"]:
                raise ValueError(
                    f"by column {column!r} has {int(found[f'm{j}'])} missing value(s) out of "
                    f"{self.n_rows} rows; recode them to a level (e.g. 'missing') so that no row "
                    f"is silently dropped")
        for answer in as_list(positive):
            for i, variable in enumerate(variables):
                observed = [v for v in found[f"v{i}"] if v is not None and v == v]
                if not any(v == answer for v in observed):  # as numpy compares
                    raise ValueError(
                        f"positive value {answer!r} never occurs in column {variable!r} "
                        f"({self.n_rows} rows; values seen: "
                        f"{describe_values(sorted(observed, key=str), 10)})")
        return {column: int(found[f"k{j}"]) for j, column in enumerate(by_columns)}

    def _batches(self, groupings: list[list[str]], levels: dict, clusters: int) -> list[list[int]]:
        """Groupings in consecutive batches whose by columns' cross-classification, times the
        ``clusters`` a query keys on, has at most :data:`_SQL_CELLS` cells (one grouping at
        least)."""
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
                     include_missing: bool = False) -> list[tuple[str, list[int], str, dict]]:
        """The aggregate queries for ``groupings`` (lists of by columns) after the checks of the
        columns and answers: returns ``(kind, grouping indices, SQL, {statistic: output column})``
        for each, in batches of groupings (:meth:`_batches`).

        ``kind`` is ``"domains"`` (grouped by the by columns only: per item ``n_valid``,
        ``n_base``, ``n_positive``, ``n_nonzero`` (only with zero weights), ``w2_total`` and,
        without PSUs,
        ``total``, ``positive``, ``positive_w2``) or ``"clusters"`` (also grouped by stratum and
        PSU: per item ``total`` and ``positive``, the PSU totals A and B; by stratum for strata
        without PSU, then with every statistic); ``("rows",)`` counts each cell's rows.
        """
        variables = as_list(variables)
        by_columns = list(dict.fromkeys(c for grouping in groupings for c in grouping))
        self.require_columns(by_columns, "by")
        valid, is_positive = self._item_conditions(variables, positive, missing_values)
        levels = self._check_columns(variables, positive, by_columns)
        w = f"CAST({_identifier(self.weights)} AS DOUBLE)"
        stats = {"n_valid": "COUNT(CASE WHEN {valid} THEN 1 END)",
                 "n_base": "COUNT(CASE WHEN {base} THEN 1 END)",
                 "n_positive": "COUNT(CASE WHEN {positive} THEN 1 END)",
                 "n_nonzero": "COUNT(CASE WHEN ({base}) AND {w} > 0 THEN 1 END)",
                 "total": "SUM(CASE WHEN {base} THEN {w} ELSE 0 END)",
                 "w2_total": "SUM(CASE WHEN {base} THEN {w} * {w} ELSE 0 END)",
                 "positive": "SUM(CASE WHEN {positive} THEN {w} ELSE 0 END)",
                 "positive_w2": "SUM(CASE WHEN {positive} THEN {w} * {w} ELSE 0 END)"}
        counts = ["n_valid", "n_base", "n_positive"] + (["n_nonzero"] if self.has_zero_weights
                                                         else [])
        plans = []
        if self.psu is not None:  # by domain, then PSU totals by (stratum, PSU, domain)
            keys = [(c, a) for c, a in ((self.strata, "s"), (self.psu, "p")) if c is not None]
            plans += [("domains", [], counts + ["w2_total"], 1),
                      ("clusters", keys, ["total", "positive"], len(self.psu_labels))]
        elif self.strata is not None:  # every row a PSU: the closed forms within each stratum
            plans.append(("clusters", [(self.strata, "s")], counts + list(stats)[4:],
                          len(self.psu_per_stratum)))
        else:
            plans.append(("domains", [], counts + list(stats)[4:], 1))
        queries = []
        for kind, keys, wanted, clusters in plans:
            for batch in self._batches(groupings, levels, clusters):
                columns = list(dict.fromkeys(c for j in batch for c in groupings[j]))
                select = [f"{_identifier(c)} AS {a}" for c, a in keys]
                select += [f"{_identifier(c)} AS g{by_columns.index(c)}" for c in columns]
                aggregates = {("rows",): "COUNT(*)"}
                for i in range(len(variables)):
                    base = "TRUE" if include_missing else valid[i]
                    for name in wanted:
                        aggregates[(name, i)] = stats[name].format(
                            valid=valid[i], base=base, positive=is_positive[i], w=w)
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
                queries.append((kind, batch, sql, output))
        return queries

    def domain_statistics(self, variables: list, positive, missing_values, include_missing: bool,
                          groupings: list[list[str]]) -> list[tuple[dict, dict]]:
        """For each grouping (a list of by columns, cross-classified; [] for the whole sample), its
        levels ``{column: values}`` (observed combinations, sorted) and the statistics of
        :func:`~.domain_sums.domain_statistics`, arrays (items, levels), from the queries of
        :meth:`cell_queries`."""
        variables = as_list(variables)
        n_items = len(variables)
        by_columns = list(dict.fromkeys(c for grouping in groupings for c in grouping))
        cells = {"domains": [None] * len(groupings), "clusters": [None] * len(groupings)}
        for kind, batch, sql, output in self.cell_queries(variables, positive, groupings,
                                                          missing_values, include_missing):
            table = self._query(sql)
            for j in batch:
                cells[kind][j] = (table, output, [f"g{by_columns.index(c)}" for c in groupings[j]])
        return [self._grouping_statistics(cells["domains"][j], cells["clusters"][j], grouping,
                                          n_items) for j, grouping in enumerate(groupings)]

    def _grouping_statistics(self, domain_cells, cluster_cells, columns: list, n_items: int
                             ) -> tuple[dict, dict]:
        """One grouping's levels and statistics from its batches' cells."""
        if domain_cells is None:  # strata without PSU: the stratum cells added up
            table, output, keys = cluster_cells
        else:
            table, output, keys = domain_cells
        aliases = list(dict.fromkeys(output.values()))
        if keys:
            domains = table[aliases].groupby([table[k] for k in keys], sort=True).sum()
            levels = domains.index.to_frame(index=False)
            found = {column: levels[k].to_numpy() for column, k in zip(columns, keys)}
        else:
            domains = table[aliases].sum().to_frame().T
            found = {}

        def by_domain(name):  # (items, levels)
            return np.vstack([domains[output[(name, i)]].to_numpy(dtype=np.float64)
                              for i in range(n_items)])
        rows = domains[output[("rows",)]].to_numpy(dtype=np.float64)
        n = by_domain("n_base")
        n_nonzero = by_domain("n_nonzero") if self.has_zero_weights else n
        n_missing = rows[None, :] - by_domain("n_valid")
        w2_total = by_domain("w2_total")
        # a domain whose base rows are all positive has S = W exactly (two SUMs may add the same
        # terms in two orders)
        everyone = by_domain("n_positive") == n
        if self.strata is None and self.psu is None:
            total = by_domain("total")
            p, var = closed_form(self.n_rows, np.where(everyone, total, by_domain("positive")),
                                 total, np.where(everyone, w2_total, by_domain("positive_w2")),
                                 w2_total)
            df = n_nonzero - 1
        elif self.psu is None:
            total, p, var, df = self._strata_only(cluster_cells, domains.index, n_items)
        else:
            total, p, var, df = self._by_psu(cluster_cells, domains.index, n_items, everyone)
        statistics = domain_statistics(n.astype(np.int64), n_missing.astype(np.int64), total,
                                       w2_total, p, var, df.astype(np.int64),
                                       n_nonzero.astype(np.int64))
        return found, statistics

    def _cluster_sums(self, cells, domain_index, clusters: pd.DataFrame, statistics: list,
                      n_items: int) -> dict:
        """``{statistic: (items, levels, clusters)}``: the cells added up by (cluster, level),
        zero where a cluster has no rows of a level (those PSUs still count in n_h)."""
        table, output, keys = cells
        cluster_keys = list(clusters.columns)
        values = table[list(dict.fromkeys(output[(s, i)] for s in statistics
                                          for i in range(n_items)))]
        by = cluster_keys + keys
        grouped = values.groupby([table[k] for k in by], sort=True).sum()
        wanted = (clusters.merge(domain_index.to_frame(index=False), how="cross")
                  if keys else clusters)
        full = (pd.MultiIndex.from_frame(wanted[by]) if len(by) > 1
                else pd.Index(wanted[by[0]], name=by[0]))
        grouped = grouped.reindex(full, fill_value=0.0)
        k = len(domain_index) if keys else 1
        return {s: np.stack([grouped[output[(s, i)]].to_numpy(dtype=np.float64).reshape(-1, k).T
                             for i in range(n_items)]) for s in statistics}

    def _by_psu(self, cells, domain_index, n_items, everyone):
        """PSU totals ``A``, ``B`` of every domain (``B = A`` where every base row is positive),
        then :func:`~.domain_sums.psu_statistics`."""
        clusters = self.psu_labels if self.strata is not None else self.psu_labels[["p"]]
        sums = self._cluster_sums(cells, domain_index, clusters, ["total", "positive"], n_items)
        positive = np.where(everyone[..., None], sums["total"], sums["positive"])
        return psu_statistics(sums["total"], positive, self.psu_per_stratum,
                              self.stratum_starts,
                              lambda z: stratified_variance(z, self.psu_per_stratum,
                                                            self.stratum_starts, self.lonely_psu))

    def _strata_only(self, cells, domain_index, n_items):
        """Strata without PSU: the closed forms within each stratum (as
        :func:`~.domain_sums.strata_sums`)."""
        names = ["total", "positive", "w2_total", "positive_w2", "n_positive", "n_base"] + (
            ["n_nonzero"] if self.has_zero_weights else [])
        sums = self._cluster_sums(cells, domain_index, self.strata_labels, names, n_items)
        everyone = sums["n_positive"] == sums["n_base"]  # S = W exactly in such cells
        sums["positive"] = np.where(everyone, sums["total"], sums["positive"])
        sums["positive_w2"] = np.where(everyone, sums["w2_total"], sums["positive_w2"])
        total = sums["total"].sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = sums["positive"].sum(axis=-1) / total
            squares = (sums["positive_w2"] * (1 - p[..., None]) ** 2
                       + (sums["w2_total"] - sums["positive_w2"]) * p[..., None] ** 2)
            var = variance_from_stratum_sums(
                squares / total[..., None] ** 2,
                (sums["positive"] - p[..., None] * sums["total"]) / total[..., None],
                self.psu_per_stratum, self.lonely_psu)
        nonzero = sums["n_nonzero" if self.has_zero_weights else "n_base"]
        return total, p, var, nonzero.sum(axis=-1) - (nonzero > 0).sum(axis=-1)
