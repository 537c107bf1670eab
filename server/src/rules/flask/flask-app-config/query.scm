[
  (subscript
    value: (attribute
      object: (_) @app
      attribute: (identifier) @attr)
    subscript: (_) @key) @finding
  (call
    function: (attribute
      object: (attribute
        object: (_) @app
        attribute: (identifier) @attr)
      attribute: (identifier) @method)
    arguments: (argument_list) @args) @finding
]
