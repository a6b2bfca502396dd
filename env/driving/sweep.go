package driving

// powSeriesRange is the largest |v/v0 - 1| for which the traffic's sweep evaluates the IDM's
// (v/v0)^δ by the binomial series of powSeries; beyond it, powPos.
const powSeriesRange = 0.15
