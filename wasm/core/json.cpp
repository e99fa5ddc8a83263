#include "json.h"

#include <stdexcept>

namespace connauth {

void json_misuse() { throw std::logic_error("unexpected JSON value"); }

}  // namespace connauth
