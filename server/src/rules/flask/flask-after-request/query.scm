(decorated_definition
  (decorator
    (attribute
      object: (_) @app
      attribute: (identifier) @hook)) @finding
  definition: (function_definition) @func
  (#any-of? @hook "after_request" "after_app_request"))
