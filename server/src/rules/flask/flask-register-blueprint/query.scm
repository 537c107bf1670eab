(call
  function: (attribute
    object: (_) @app
    attribute: (identifier) @method)
  arguments: (argument_list) @args
  (#eq? @method "register_blueprint")) @finding
