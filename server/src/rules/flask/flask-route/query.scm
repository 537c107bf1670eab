(decorated_definition
  (decorator
    (call
      function: (attribute
        object: (_) @app
        attribute: (identifier) @verb)
      arguments: (argument_list) @args)) @finding
  definition: (function_definition) @func
  (#any-of? @verb "route" "get" "post" "put" "delete" "patch"))
