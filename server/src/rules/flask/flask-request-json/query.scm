((call
  function: (attribute
    object: (_) @req
    attribute: (identifier) @attr)) @finding
  (#eq? @attr "get_json"))

((attribute
  object: (_) @req
  attribute: (identifier) @attr) @finding
  (#eq? @attr "json"))
