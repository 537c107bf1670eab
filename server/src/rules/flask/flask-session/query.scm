[
  (identifier)
  (attribute)
] @finding
