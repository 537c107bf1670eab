(call
  function: (attribute attribute: (identifier) @method)) @finding

(attribute
  attribute: (identifier) @attr
  (#eq? @attr "query")) @finding
