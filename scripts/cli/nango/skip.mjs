// Thrown while mapping an entry that cannot become a working connector: the
// entry is reported (at `path`, with `reason`) and no file is written.
export class Skip extends Error {
  constructor(path, reason) {
    super(reason);
    this.path = path;
  }
}
