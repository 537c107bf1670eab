(decorated_definition
  (decorator
    (attribute
      object: (_) @app
      attribute: (identifier) @hook)) @finding
  definition: (function_definition) @func
  (#any-of? @hook "before_request" "before_app_request"))
