(identifier) @finding

(attribute
  attribute: (identifier) @attr
  (#eq? @attr "current_user")) @finding
