/** The $match grade as a badge with words a worker reads the same way each time. */
const GRADES: Record<string, { text: string; tone: string }> = {
  certain: { text: 'Certain match', tone: 'tone-active' },
  probable: { text: 'Probable match', tone: 'tone-pending' },
  possible: { text: 'Possible match', tone: 'tone-neutral' },
};

export function MatchGrade({ grade, probability }: { grade: string; probability?: number }) {
  const g = GRADES[grade] ?? { text: grade, tone: 'tone-neutral' };
  return (
    <span className={`badge ${g.tone}`}>
      {g.text}
      {probability !== undefined && ` · ${Math.round(probability * 1000) / 10}%`}
    </span>
  );
}
