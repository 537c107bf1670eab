(call
  function: (identifier) @fn
  arguments: (argument_list) @args) @finding
(call
  function: (attribute) @fn
  arguments: (argument_list) @args) @finding
