(class_definition
  name: (identifier) @finding
  superclasses: (argument_list) @bases) @class
