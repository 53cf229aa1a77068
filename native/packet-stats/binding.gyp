{
  "targets": [
    {
      "target_name": "packet_stats",
      "sources": ["packet_stats.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
