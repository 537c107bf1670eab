(decorated_definition
  (decorator
    [(identifier) (attribute)] @deco) @finding
  definition: (function_definition) @func)
