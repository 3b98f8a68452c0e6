# Makes tests/evaluation/funnel_cases.json from FunnelPlotR 0.6.0's own R code.
#
# FunnelPlotR (github.com/nhs-r-community/FunnelPlotR, MIT) draws with ggplot2; only its
# arithmetic is wanted here, so its R/ files are sourced with the drawing stubbed out.
# Needs R and the rlang package (Debian: r-base-core, r-cran-rlang). Run from the
# repository root, with FunnelPlotR's R/ folder at $FUNNELPLOTR_R:
#   FUNNELPLOTR_R=/path/to/FunnelPlotR/R Rscript tests/evaluation/funnel_cases.R > tests/evaluation/funnel_cases.json
suppressMessages(library(rlang))
for (f in c("aggregate_func", "build_limits_lookup", "calculate_limits", "od_adjustment",
            "outliers_func", "funnel_plot", "classes_methods")) {
  source(file.path(Sys.getenv("FUNNELPLOTR_R"), paste0(f, ".R")))
}
draw_plot <- function(...) NULL
funnel_clean <- function() NULL
validate_funnel_plot <- function(x) invisible(TRUE)

num <- function(x) ifelse(is.infinite(x), ifelse(x > 0, "Infinity", "-Infinity"), sprintf("%.17g", x))
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")

one_case <- function(name, numerators, denominators, data_type, draw_adjusted = TRUE,
                     sr_method = "SHMI", trim_by = 0.1, lookup = c()) {
  df <- data.frame(n = numerators, d = denominators, g = sprintf("u%03d", seq_along(numerators)))
  # Lookup denominators must be among its table's: 3, the largest (rounded up), or the data's.
  # draw_unadjusted = !draw_adjusted: without the adjustment, outliers against the unadjusted limits.
  fp <- suppressMessages(funnel_plot(df, n, d, g, data_type = data_type, draw_adjusted = draw_adjusted,
                                     draw_unadjusted = !draw_adjusted, sr_method = sr_method,
                                     trim_by = trim_by, limit = 99))
  a <- fp$aggregated_data
  a <- a[order(a$group), ]
  cols <- if (fp$draw_adjusted) c("OD95LCL", "OD95UCL", "OD99LCL", "OD99UCL") else c("LCL95", "UCL95", "LCL99", "UCL99")
  lcols <- if (fp$draw_adjusted) c("odll95", "odul95", "odll998", "odul998") else c("ll95", "ul95", "ll998", "ul998")
  points <- sapply(seq_len(nrow(a)), function(i) {
    sprintf('{"value": %s, "z_unadjusted": %s, "limits": %s, "outside_998": %s}',
            num(a$rr[i]), num(a$Uzscore[i]), vec(unlist(a[i, cols])), tolower(as.character(a$outlier[i] == 1)))
  })
  lk <- fp$limits_lookup
  rows <- sapply(lookup, function(x) {
    r <- lk[abs(lk$number_seq - x) < 1e-9, ]
    sprintf('{"denominator": %s, "limits": %s}', num(x), vec(unlist(r[1, lcols])))
  })
  sprintf(paste0('{"name": "%s", "numerators": %s, "denominators": %s, "data_type": "%s", ',
                 '"draw_adjusted": %s, "sr_method": "%s", "trim_by": %s, "phi": %s, "tau2": %s, ',
                 '"adjusted": %s, "points": [%s], "lookup": [%s]}'),
          name, vec(numerators), vec(denominators), data_type, tolower(draw_adjusted), sr_method,
          num(trim_by), num(fp$phi), num(fp$tau2), tolower(fp$draw_adjusted),
          paste(points, collapse = ", "), paste(rows, collapse = ", "))
}

hubs10 <- c(420, 515, 380, 610, 450, 700, 390, 530, 480, 560)
cases <- c(
  # Proportions
  one_case("PR, overdispersed", c(150, 260, 140, 330, 160, 390, 120, 250, 230, 300), hubs10, "PR",
           lookup = c(3, 380, 700)),
  one_case("PR, overdispersed, one hub above the 95% limit", c(144, 207, 139, 240, 175, 294, 132, 214, 225, 224),
           hubs10, "PR", lookup = c(3, 380, 700)),
  one_case("PR, without the adjustment", c(150, 260, 140, 330, 160, 390, 120, 250, 230, 300), hubs10, "PR",
           draw_adjusted = FALSE, lookup = c(3, 380, 700)),
  one_case("PR, a single outlier", c(50, 52, 48, 51, 90, 49, 47, 53, 50, 52), rep(100, 10), "PR", lookup = c(3, 100)),
  one_case("PR, zero counts", c(0, 3, 5, 0, 8), c(40, 100, 150, 60, 200), "PR", lookup = c(3, 40, 200)),
  one_case("PR, rare events", c(0, 1, 0, 12, 0, 1, 3, 0), c(500, 800, 300, 1200, 900, 1000, 1500, 400), "PR",
           lookup = c(3, 300, 1500)),
  one_case("PR, phi below (n - 1) / n: tau2 = 0", c(168, 187, 169, 246, 171, 290, 159, 212, 202, 247), hubs10, "PR"),
  one_case("PR, phi just below 1: tau2 > 0, not used", c(181, 207, 152, 259, 162, 284, 145, 198, 184, 236), hubs10,
           "PR", lookup = c(3, 700)),
  # Standardised ratios
  one_case("SR SHMI, overdispersed", c(20, 31, 12, 45, 9, 60, 15, 28, 22, 35, 18, 50),
           c(21.456, 25.3, 18.125, 30.004, 16.2, 33.335, 19.9, 24.1, 22.2, 28.7, 17.45, 35.555), "SR"),
  one_case("SR SHMI, a zero observed count, truncated", c(0, 12, 15, 9, 11, 30, 10, 8, 13, 14, 9, 12),
           c(5, 10.123, 14.5, 10, 11, 12, 9.87, 8.2, 12.1, 13, 10.5, 11.111), "SR"),
  one_case("SR SHMI, exact Poisson limits (not overdispersed)", c(10, 12, 9, 11, 14, 8),
           c(10.5, 11.2, 9.4, 12.1, 12.9, 8.8), "SR"),
  one_case("SR SHMI, without the adjustment", c(20, 31, 12, 45, 9, 60, 15, 28, 22, 35, 18, 50),
           c(21.456, 25.3, 18.125, 30.004, 16.2, 33.335, 19.9, 24.1, 22.2, 28.7, 17.45, 35.555), "SR",
           draw_adjusted = FALSE),
  one_case("SR CQC, overdispersed, a zero", c(0, 31, 12, 45, 9, 60, 15, 28, 22, 35),
           c(5.5, 25.3, 18.125, 30.004, 16.2, 33.335, 19.9, 24.1, 22.2, 28.7), "SR", sr_method = "CQC"),
  one_case("SR CQC, large expected counts", c(100500, 99000, 101000), c(100000.5, 99500.2, 100300.7), "SR",
           sr_method = "CQC", draw_adjusted = FALSE),
  # Ratios of counts
  one_case("RC, overdispersed", c(1, 50, 9, 300, 40, 25), c(10, 20, 30, 15, 400, 60), "RC"),
  one_case("RC, zero counts", c(0, 5, 9, 3), c(10, 20, 30, 15), "RC"),
  one_case("RC, without the adjustment", c(1, 50, 9, 300, 40, 25), c(10, 20, 30, 15, 400, 60), "RC",
           draw_adjusted = FALSE)
)
cat('{"source": "FunnelPlotR 0.6.0 (R 4.2) funnel_plot(), made by tests/evaluation/funnel_cases.R", "cases": [\n',
    paste(cases, collapse = ",\n"), "\n]}\n", sep = "")
