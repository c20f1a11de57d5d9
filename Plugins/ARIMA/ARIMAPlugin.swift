// ARIMA plugin: under construction in this working tree.
