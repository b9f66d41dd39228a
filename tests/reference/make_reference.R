# Reference values from R's survey package for the tests of social_licence's estimation core.
#
# Reads tests/reference/survey_fixture.csv (synthetic, written by make_fixtures.py) and writes
#   proportions_reference.csv  svyciprop / svyby(svyciprop) estimates, SEs, beta + logit intervals
#                              at levels 0.95 and 0.9, domain nrow and degf, svymean deff="replace"
#   compare_reference.csv      svyby(svymean, covmat = TRUE) + svycontrast differences and SEs,
#                              svyttest t / df / p, svyglm confint at 0.95 and 0.9
#   chisq_reference.csv        svychisq(~yy + g, statistic = "F") and "Chisq" (Pearson X^2)
# and, in designs/ (the designs beyond weights and strata/PSU):
#   proportions_reference.csv  as above, for svydesign(ids = ~1, strata = ~stratum) (strata, every
#                              row its own PSU) and svydesign(ids = ~cluster) (PSUs, no strata)
#   lonely_reference.csv       the strata/PSU design with stratum S4 reduced to one PSU, under each
#                              options(survey.lonely.psu = "remove" | "certainty" | "adjust" |
#                              "average"): svyciprop by domain, and svycontrast differences + SEs
#   replicate_factors.csv      as.svrepdesign(type = "JK1" | "JKn" | "BRR" | "Fay" | "bootstrap" |
#                              "subbootstrap") of the fixture's designs: each PSU's factor in each
#                              replicate (replicate weight = w * factor), with scale and rscales
#   replicates_reference.csv   svrepdesign() on those weights as supplied replicate weights:
#                              svyciprop / svyby(svyciprop) as proportions_reference.csv, with
#                              nrow, degf (recomputed on each domain) and deff = "replace"
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

fx$cluster <- paste(fx$stratum, fx$psu, sep = "-")  # PSU labels unique across strata
designs <- list(
  weights = svydesign(ids = ~1, weights = ~w, data = fx),
  strata_psu = svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = fx)
)
# designs only proportions_reference.csv covers: strata without PSU, PSUs without strata
prop_designs <- c(designs, list(
  strata = svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = fx),
  psu = svydesign(ids = ~cluster, weights = ~w, data = fx)
))
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

# svyciprop for every domain of every by set, as svyby(~yy, ~by, design, svyciprop) does (one row
# per design, item, base, by set, group, method and level)
proportion_rows <- function(design, dname, item, incl, by, bname) {
  dv <- item_design(design, item, incl)
  rows <- list()
  for (g in group_rows(dv, by)) {
    sub <- dv[g$index, ]
    dstat <- svymean(~as.numeric(yy), sub, deff = "replace")
    for (method in methods) for (level in levels) {
      r <- svyciprop(~yy, sub, method = method, level = level)
      row <- data.frame(design = dname, variable = item, include_missing = incl, by = bname,
                        group4 = NA_character_, sex = NA_character_, flag = NA,
                        method = method, level = level, estimate = as.vector(r),
                        se = sqrt(as.vector(attr(r, "var"))),
                        ci_low = attr(r, "ci")[1], ci_high = attr(r, "ci")[2],
                        n = nrow(sub), df = degf(sub), deff = as.vector(deff(dstat)),
                        stringsAsFactors = FALSE)
      for (col in names(g$labels)) row[[col]] <- g$labels[[col]]
      rows[[length(rows) + 1]] <- row
    }
  }
  rows
}

# the svyby route gives the same numbers as the per-group loop: checked for single by columns
check_svyby <- function(design, rows, item, incl, by) {
  dv <- item_design(design, item, incl)
  b <- svyby(~yy, as.formula(paste("~", by)), dv, svyciprop, method = "beta",
             vartype = c("se", "ci"))
  loop <- do.call(rbind, rows)
  loop <- loop[loop$method == "beta" & loop$level == 0.95, ]
  stopifnot(isTRUE(all.equal(unname(b[["yy"]]), loop$estimate, tolerance = 1e-12)))
  stopifnot(isTRUE(all.equal(unname(b[["ci_u"]]), loop$ci_high, tolerance = 1e-12)))
}

prop_rows <- list()
for (dname in names(prop_designs)) for (item in names(items)) for (incl in c(FALSE, TRUE)) {
  if (incl && !(item %in% c("q_agree", "q_yesno"))) next
  for (bname in names(by_sets)) {
    by <- by_sets[[bname]]
    if (incl && length(by) > 1) next
    if (item %in% c("q_rare", "q_common") && length(by) > 1) next  # cells at 0 or 1
    rows <- proportion_rows(prop_designs[[dname]], dname, item, incl, by, bname)
    if (length(by) == 1) check_svyby(prop_designs[[dname]], rows, item, incl, by)
    prop_rows <- c(prop_rows, rows)
  }
}
props <- do.call(rbind, prop_rows)
first <- props$design %in% names(designs)
write.csv(full17(props[first, ]), file.path(here, "proportions_reference.csv"), row.names = FALSE)
dir.create(file.path(here, "designs"), showWarnings = FALSE)
write.csv(full17(props[!first, ]), file.path(here, "designs", "proportions_reference.csv"),
          row.names = FALSE)

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

# --- lonely PSUs: stratum S4 as one PSU, under R's four options --------------------------------
lonely_fx <- fx
lonely_fx$psu[lonely_fx$stratum == "S4"] <- 1
lonely_rows <- list()
for (option in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = option)
  d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = lonely_fx)
  for (item in c("q_agree", "q_yesno")) {
    for (bname in c("none", "group4", "flag")) {
      rows <- proportion_rows(d, option, item, FALSE, by_sets[[bname]], bname)
      lonely_rows <- c(lonely_rows, lapply(rows, function(r) cbind(kind = "proportion", r)))
    }
    dv <- update(item_design(d, item, FALSE), y01 = as.numeric(yy))
    con <- svycontrast(svyby(~y01, ~flag, dv, svymean, covmat = TRUE), c(-1, 1))
    lonely_rows[[length(lonely_rows) + 1]] <- data.frame(
      kind = "difference", design = option, variable = item, include_missing = FALSE, by = "flag",
      group4 = NA_character_, sex = NA_character_, flag = NA, method = NA_character_, level = NA,
      estimate = as.vector(coef(con)), se = as.vector(SE(con)), ci_low = NA, ci_high = NA, n = NA,
      df = NA, deff = NA, stringsAsFactors = FALSE)
  }
}
options(survey.lonely.psu = "fail")
lonely <- do.call(rbind, lonely_rows)
names(lonely)[names(lonely) == "design"] <- "lonely_psu"
write.csv(full17(lonely), file.path(here, "designs", "lonely_reference.csv"), row.names = FALSE)

# --- replicate weights: made by as.svrepdesign, then analysed as supplied weights ---------------
sylvester <- function(order) {  # the Hadamard matrix the library uses by default for BRR
  h <- matrix(1)
  while (nrow(h) < order) h <- rbind(cbind(h, h), cbind(h, -h))
  h
}
fx$pair <- sprintf("%s-%d", fx$stratum, (fx$psu + 1) %/% 2)  # 16 strata of two PSUs (BRR, Fay)
cluster_design <- svydesign(ids = ~cluster, weights = ~w, data = fx)
pair_design <- svydesign(ids = ~psu, strata = ~pair, weights = ~w, nest = TRUE, data = fx)
set.seed(20240611)
conversions <- list(
  JK1 = as.svrepdesign(cluster_design, type = "JK1", compress = FALSE),
  JKn = as.svrepdesign(designs$strata_psu, type = "JKn", compress = FALSE),
  BRR = as.svrepdesign(pair_design, type = "BRR", hadamard.matrix = sylvester(32), compress = FALSE),
  Fay = as.svrepdesign(pair_design, type = "Fay", fay.rho = 0.5, hadamard.matrix = sylvester(32),
                       compress = FALSE),
  bootstrap = as.svrepdesign(designs$strata_psu, type = "bootstrap", replicates = 50,
                             compress = FALSE),
  subbootstrap = as.svrepdesign(designs$strata_psu, type = "subbootstrap", replicates = 50,
                                compress = FALSE)
)
supplied_type <- c(JK1 = "JK1", JKn = "JKn", BRR = "BRR", Fay = "Fay", bootstrap = "bootstrap",
                   subbootstrap = "bootstrap")
factor_rows <- list()
supplied <- list()
for (name in names(conversions)) {
  conv <- conversions[[name]]
  factors <- as.matrix(conv$repweights)  # one row per respondent, constant within a PSU
  first <- !duplicated(fx$cluster)
  stopifnot(all(factors == factors[which(first)[match(fx$cluster, fx$cluster[first])], ]))
  factor_rows[[name]] <- data.frame(
    type = name, cluster = rep(fx$cluster[first], ncol(factors)),
    replicate = rep(seq_len(ncol(factors)), each = sum(first)),
    factor = as.vector(factors[first, ]), scale = conv$scale,
    rscales = rep(conv$rscales, each = sum(first)), stringsAsFactors = FALSE)
  for (mse in c(FALSE, TRUE)) {
    if (mse && !(name %in% c("JKn", "bootstrap"))) next
    design <- svrepdesign(
      data = fx, repweights = factors, weights = ~w, combined.weights = FALSE,
      type = supplied_type[[name]], rho = if (name == "Fay") 0.5 else NULL,
      scale = if (name %in% c("BRR", "Fay")) NULL else conv$scale,
      rscales = if (name %in% c("BRR", "Fay")) NULL else conv$rscales, mse = mse)
    # supplied weights give what the converted design gives
    a <- svyciprop(~I(q_agree %in% c(4, 5)), subset(design, !is.na(q_agree) & q_agree != 8))
    b <- svyciprop(~I(q_agree %in% c(4, 5)),
                   subset(update(conv, mse = mse), !is.na(q_agree) & q_agree != 8))
    if (mse) b <- a  # as.svrepdesign's mse is set when it is made; checked for mse = FALSE
    stopifnot(isTRUE(all.equal(c(a, attr(a, "ci")), c(b, attr(b, "ci")), tolerance = 1e-12)))
    supplied[[paste(name, mse)]] <- list(name = name, mse = mse, design = design)
  }
}
write.csv(full17(do.call(rbind, factor_rows)), file.path(here, "designs", "replicate_factors.csv"),
          row.names = FALSE)

replicate_rows <- list()
for (case in supplied) for (item in c("q_agree", "q_yesno", "q_rare")) {
  for (bname in c("none", "group4", "flag")) {
    if (case$mse && bname == "group4") next
    rows <- proportion_rows(case$design, case$name, item, FALSE, by_sets[[bname]], bname)
    if (bname == "flag") check_svyby(case$design, rows, item, FALSE, "flag")
    replicate_rows <- c(replicate_rows, lapply(rows, function(r) cbind(mse = case$mse, r)))
  }
  if (!case$mse && item == "q_agree") {  # the base of everyone asked
    rows <- proportion_rows(case$design, case$name, item, TRUE, "group4", "group4")
    replicate_rows <- c(replicate_rows, lapply(rows, function(r) cbind(mse = FALSE, r)))
  }
}
replicates <- do.call(rbind, replicate_rows)
names(replicates)[names(replicates) == "design"] <- "type"
write.csv(full17(replicates), file.path(here, "designs", "replicates_reference.csv"), row.names = FALSE)
