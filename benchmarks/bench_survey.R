# R survey's side of `make bench` (benchmarks/bench_estimation.py runs it; not a test).
#
# Usage: Rscript bench_survey.R <frame.csv> <weights|strata_psu|jk1> <item:group,item:group,...>
# Builds the design (not timed), then times, for each (item, group) pair, what an R user runs for
# the report's table: the agreeing indicator (answer 4 or 5), the valid-answer subset (answer not
# 9) and svyby(~yy, ~group, ..., svyciprop, method = "beta") over both levels of the group.
# Prints one CSV row per domain (item, group, level, estimate, se, ci_low, ci_high) and, last,
# "elapsed,<seconds>". Designs: svydesign(ids = ~1, weights = ~w); svydesign(ids = ~psu,
# strata = ~stratum, nest = TRUE, weights = ~w); as.svrepdesign(svydesign(ids = ~cluster,
# weights = ~w), type = "JK1"), the same replicate weights as the benchmark's supplied columns.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
fx <- read.csv(args[1])
design <- switch(args[2],
  weights = svydesign(ids = ~1, weights = ~w, data = fx),
  strata_psu = svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = fx),
  jk1 = as.svrepdesign(svydesign(ids = ~cluster, weights = ~w, data = fx), type = "JK1"))
pairs <- strsplit(strsplit(args[3], ",")[[1]], ":")
rows <- list()
elapsed <- system.time(for (pair in pairs) {
  item <- pair[1]
  group <- pair[2]
  answers <- fx[[item]]
  d <- update(design, yy = answers %in% c(4, 5))
  b <- svyby(~yy, as.formula(paste0("~", group)), subset(d, answers != 9), svyciprop,
             method = "beta", vartype = c("se", "ci"))
  rows[[length(rows) + 1]] <- data.frame(item = item, group = group, level = b[[group]],
                                         estimate = coef(b), se = SE(b), ci_low = b[["ci_l"]],
                                         ci_high = b[["ci_u"]])
})[["elapsed"]]
write.csv(format(do.call(rbind, rows), digits = 17), stdout(), row.names = FALSE, quote = FALSE)
cat(sprintf("elapsed,%.6f\n", elapsed))
