(call
  function: (attribute
    object: (_) @obj
    attribute: (identifier) @method)
  arguments: (argument_list) @args) @finding
