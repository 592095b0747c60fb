// placeholder until the HTTP server lands
