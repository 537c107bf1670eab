(call
  function: (_) @fn) @finding

(call
  function: (attribute
    object: (_) @obj
    attribute: (identifier) @method)
  (#any-of? @method "init_app" "create_all" "drop_all")) @finding
