// AutoReg plugin: under construction.
