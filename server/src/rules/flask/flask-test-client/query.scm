(call
  function: (attribute
    object: (_) @app
    attribute: (identifier) @method)
  arguments: (argument_list) @args
  (#eq? @method "test_client")) @finding
