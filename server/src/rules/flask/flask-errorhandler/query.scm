(decorated_definition
  (decorator
    (call
      function: (attribute
        object: (_) @app
        attribute: (identifier) @hook)
      arguments: (argument_list) @args)) @finding
  definition: (function_definition) @func
  (#any-of? @hook "errorhandler" "app_errorhandler"))
