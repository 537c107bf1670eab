(attribute
  object: (_) @req
  attribute: (identifier) @attr
  (#eq? @attr "files")) @finding
