(decorated_definition
  (decorator
    (identifier) @deco) @finding
  definition: (function_definition) @func)
(decorated_definition
  (decorator
    (attribute) @deco) @finding
  definition: (function_definition) @func)
