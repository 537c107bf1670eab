(attribute
  object: (_) @req
  attribute: (identifier) @attr
  (#eq? @attr "form")) @finding
