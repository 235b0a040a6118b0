import type { AnnotationDocument } from '@labelkit/core';
import type { DatasetItem } from '../../workspace/types.ts';

/** Details of the events of `<label-workspace>` (typed in GlobalEventHandlersEventMap by define.ts). */
export interface LabelSaveDetail {
  /** The commit made. */
  commit: string;
  /** Items it carried. */
  items: string[];
}

export interface LabelConflictDetail {
  item: string;
  /** The server's reason (`both-modified`, `delete-modify`, ...). */
  reason: string;
  /** The branch head the edit could not be merged into. */
  head: string;
  /** The user's version, kept in the outbox until they choose. */
  mine: AnnotationDocument | null;
  /** The server's version at `head` (undefined when it could not be read). */
  theirs: AnnotationDocument | null | undefined;
}

export interface LabelItemChangeDetail {
  item: DatasetItem;
  /** Position in the items loaded so far. */
  index: number;
}
