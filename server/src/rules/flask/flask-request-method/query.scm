((attribute
  object: (_) @req
  attribute: (identifier) @attr) @finding
  (#any-of? @attr "method" "path" "url" "base_url" "host" "scheme" "is_secure" "remote_addr" "is_json" "data" "content_type" "referrer"))
