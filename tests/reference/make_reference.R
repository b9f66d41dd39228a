# Reference values from R's survey package for the tests of social_licence's estimation core.
#
# Reads tests/reference/survey_fixture.csv (synthetic, written by make_fixtures.py) and writes
#   proportions_reference.csv  svyciprop / svyby(svyciprop) estimates, SEs, beta + logit intervals
#                              at levels 0.95 and 0.9, domain nrow and degf, svymean deff="replace"
#   compare_reference.csv      svyby(svymean, covmat = TRUE) + svycontrast differences and SEs,
#                              svyttest t / df / p, svyglm confint at 0.95 and 0.9
#   chisq_reference.csv        svychisq(~yy + g, statistic = "F") and "Chisq" (Pearson X^2)
# Every number is written with 17 significant digits. Run from anywhere:
#   Rscript tests/reference/make_reference.R
# (R 4.x, survey 4.1.1; CI does not run this, the outputs are committed.)
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
fx <- read.csv(file.path(here, "survey_fixture.csv"), stringsAsFactors = FALSE)
fx$flag <- as.logical(fx$flag)  # pandas writes True / False
stopifnot(!anyNA(fx$flag))

designs <- list(
  weights = svydesign(ids = ~1, weights = ~w, data = fx),
  strata_psu = svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = fx)
)
items <- list(
  q_agree = list(positive = c(4, 5), missing = 8),
  q_yesno = list(positive = "Yes", missing = "Don't know"),
  q_rare = list(positive = 1, missing = NULL),
  q_common = list(positive = 1, missing = NULL)
)
by_sets <- list(none = character(0), group4 = "group4", `group4+sex` = c("group4", "sex"),
                flag = "flag")
methods <- c("beta", "logit")
levels <- c(0.95, 0.9)

full17 <- function(df) {
  for (col in names(df)) if (is.numeric(df[[col]])) df[[col]] <- sprintf("%.17g", df[[col]])
  df
}

# The analysis design for one item: yy = answer is positive; domain = valid (substantive) answers,
# or every row when include_missing is TRUE.
item_design <- function(design, item, include_missing) {
  spec <- items[[item]]
  y <- design$variables[[item]]
  valid <- !is.na(y) & !(y %in% spec$missing)
  design <- update(design, yy = y %in% spec$positive, valid = valid)
  if (include_missing) design else subset(design, valid)
}

group_rows <- function(design, by) {
  # one row per observed combination of the by columns, in svyby's order, with an index
  if (length(by) == 0) return(list(list(labels = list(), index = rep(TRUE, nrow(design)))))
  vars <- design$variables[, by, drop = FALSE]
  key <- interaction(vars, drop = TRUE, lex.order = FALSE)
  lapply(sort(unique(key)), function(k) {
    first <- which(key == k)[1]
    list(labels = as.list(vars[first, , drop = FALSE]), index = key == k)
  })
}

prop_rows <- list()
for (dname in names(designs)) for (item in names(items)) for (incl in c(FALSE, TRUE)) {
  if (incl && !(item %in% c("q_agree", "q_yesno"))) next
  dv <- item_design(designs[[dname]], item, incl)
  for (bname in names(by_sets)) {
    by <- by_sets[[bname]]
    if (incl && length(by) > 1) next
    if (item %in% c("q_rare", "q_common") && length(by) > 1) next  # cells at 0 or 1
    for (g in group_rows(dv, by)) {
      sub <- dv[g$index, ]
      dstat <- svymean(~as.numeric(yy), sub, deff = "replace")
      for (method in methods) for (level in levels) {
        # svyby(~yy, ~by, dv, svyciprop, ...) calls exactly this for each group
        r <- svyciprop(~yy, sub, method = method, level = level)
        row <- data.frame(design = dname, variable = item, include_missing = incl, by = bname,
                          group4 = NA_character_, sex = NA_character_, flag = NA,
                          method = method, level = level, estimate = as.vector(r),
                          se = sqrt(as.vector(attr(r, "var"))),
                          ci_low = attr(r, "ci")[1], ci_high = attr(r, "ci")[2],
                          n = nrow(sub), df = degf(sub), deff = as.vector(deff(dstat)),
                          stringsAsFactors = FALSE)
        for (col in names(g$labels)) row[[col]] <- g$labels[[col]]
        prop_rows[[length(prop_rows) + 1]] <- row
      }
    }
    if (length(by) == 1) {
      # cross-check: the svyby route gives the same numbers as the per-group loop above
      b <- svyby(~yy, as.formula(paste("~", by)), dv, svyciprop, method = "beta",
                 vartype = c("se", "ci"))
      loop <- do.call(rbind, prop_rows)
      loop <- loop[loop$design == dname & loop$variable == item & loop$include_missing == incl &
                     loop$by == bname & loop$method == "beta" & loop$level == 0.95, ]
      stopifnot(isTRUE(all.equal(unname(b[["yy"]]), loop$estimate, tolerance = 1e-12)))
      stopifnot(isTRUE(all.equal(unname(b[["ci_u"]]), loop$ci_high, tolerance = 1e-12)))
    }
  }
}
props <- do.call(rbind, prop_rows)
write.csv(full17(props), file.path(here, "proportions_reference.csv"), row.names = FALSE)

compare_rows <- list()
for (dname in names(designs)) for (item in c("q_agree", "q_yesno", "q_rare")) {
  dv <- item_design(designs[[dname]], item, FALSE)
  dv <- update(dv, y01 = as.numeric(yy))
  # group vs rest: flag TRUE minus flag FALSE
  b <- svyby(~y01, ~flag, dv, svymean, covmat = TRUE)
  con <- svycontrast(b, c(-1, 1))
  tt <- svyttest(y01 ~ flag, dv)
  m <- svyglm(y01 ~ flag, dv)
  cases <- list(list(kind = "rest", by = "flag", a = "TRUE", b = "FALSE", con = con, tt = tt, m = m,
                     est = coef(b)))
  # two levels of group4: a minus b via svyby over all levels + contrast, and svyttest on the pair
  bg <- svyby(~y01, ~group4, dv, svymean, covmat = TRUE)
  for (pair in list(c("a", "c"), c("b", "d"), c("d", "a"))) {
    contrast <- as.numeric(rownames(bg) == pair[1]) - as.numeric(rownames(bg) == pair[2])
    sub <- subset(dv, group4 %in% pair)
    sub <- update(sub, is_a = group4 == pair[1])
    cases[[length(cases) + 1]] <- list(
      kind = "groups", by = "group4", a = pair[1], b = pair[2],
      con = svycontrast(bg, contrast), tt = svyttest(y01 ~ is_a, sub), m = svyglm(y01 ~ is_a, sub),
      est = coef(bg)[match(pair, rownames(bg))])
  }
  for (cs in cases) for (level in levels) {
    ci <- confint(cs$m, 2, level = level)
    est <- if (cs$kind == "rest") unname(cs$est[c("TRUE", "FALSE")]) else unname(cs$est)  # a, b
    compare_rows[[length(compare_rows) + 1]] <- data.frame(
      design = dname, variable = item, kind = cs$kind, by = cs$by, a = cs$a, b = cs$b,
      level = level, estimate_a = est[1], estimate_b = est[2],
      difference = as.vector(coef(cs$con)), se = as.vector(SE(cs$con)),
      glm_difference = unname(coef(cs$m)[2]), glm_se = unname(SE(cs$m)[2]),
      ci_low = ci[1], ci_high = ci[2], t = unname(cs$tt$statistic),
      df = unname(cs$tt$parameter), p_value = cs$tt$p.value, stringsAsFactors = FALSE)
  }
}
compare <- do.call(rbind, compare_rows)
write.csv(full17(compare), file.path(here, "compare_reference.csv"), row.names = FALSE)

chisq_rows <- list()
for (dname in names(designs)) for (item in names(items)) for (g in c("group4", "sex", "flag")) {
  dv <- item_design(designs[[dname]], item, FALSE)
  f <- as.formula(paste("~yy +", g))
  rs <- svychisq(f, dv, statistic = "F")
  pearson <- svychisq(f, dv, statistic = "Chisq")
  chisq_rows[[length(chisq_rows) + 1]] <- data.frame(
    design = dname, variable = item, by = g, statistic = unname(rs$statistic),
    ndf = unname(rs$parameter["ndf"]), ddf = unname(rs$parameter["ddf"]), p_value = rs$p.value,
    pearson = unname(pearson$statistic), n = nrow(dv), stringsAsFactors = FALSE)
}
chisq <- do.call(rbind, chisq_rows)
write.csv(full17(chisq), file.path(here, "chisq_reference.csv"), row.names = FALSE)
