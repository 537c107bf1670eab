(call
  function: [(identifier) (attribute)] @fn
  arguments: (argument_list) @args) @finding
