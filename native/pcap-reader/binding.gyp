{
  "targets": [
    {
      "target_name": "pcap_reader",
      "sources": ["pcap_reader.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-pthread"],
      "libraries": ["-lpcap", "-lpthread"]
    }
  ]
}
