/**
 * Name lists for the fictional residents: common US given names and surnames across Hispanic/Latino,
 * White, Black and Asian American communities, plus the nicknames and spellings that make source
 * records differ. Any resemblance of a generated person to a real one is a coincidence.
 */

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export type NameGroup = 'hispanic' | 'white' | 'black' | 'asian' | 'hmong' | 'vietnamese';

export interface NamePool {
  male: string[];
  female: string[];
  family: string[];
  /** Share of the county's residents (the demo population leans to the safety net's clients). */
  weight: number;
  /** Preferred-language code most common in the group (BCP 47). */
  languages: readonly (readonly [string, number])[];
}

export const NAME_POOLS: Record<NameGroup, NamePool> = {
  hispanic: {
    male: list(`José, Juan, Luis, Carlos, Jesús, Miguel, Francisco, Alejandro, Antonio, Jorge, Manuel, Ricardo,
      Roberto, Eduardo, Fernando, Javier, Sergio, Rafael, Andrés, Diego, Mateo, Santiago, Adrián, Daniel, David,
      Gabriel, Ángel, Julio, Héctor, Raúl, Rubén, Arturo, Mario, Pedro, Emilio, Joaquín, Guillermo, Ramón`),
    female:
      list(`María, Guadalupe, Ana, Rosa, Carmen, Josefina, Leticia, Verónica, Alejandra, Gabriela, Daniela,
      Sofía, Valeria, Isabella, Camila, Lucía, Mariana, Adriana, Yolanda, Patricia, Elena, Teresa, Silvia, Claudia,
      Marisol, Esperanza, Beatriz, Lorena, Margarita, Natalia, Ximena, Paola, Alicia, Dolores, Maribel, Jimena`),
    family: list(`García, Hernández, Martínez, López, González, Rodríguez, Pérez, Sánchez, Ramírez, Flores,
      Gómez, Torres, Díaz, Reyes, Cruz, Morales, Ortiz, Gutiérrez, Chávez, Ramos, Ruiz, Mendoza, Álvarez, Castillo,
      Jiménez, Vásquez, Moreno, Herrera, Medina, Aguilar, Vargas, Castro, Guzmán, Muñoz, Rojas, Peña, Contreras,
      Soto, Delgado, Ibarra, Salazar, Cervantes, Zúñiga, Villanueva, Orozco`),
    weight: 42,
    languages: [
      ['es', 45],
      ['en', 55],
    ],
  },
  white: {
    male: list(`James, John, Robert, Michael, William, David, Richard, Joseph, Thomas, Charles, Christopher, Daniel,
      Matthew, Anthony, Mark, Steven, Paul, Andrew, Joshua, Kenneth, Kevin, Brian, Timothy, Ronald, Jason, Jeffrey,
      Ryan, Jacob, Gary, Nicholas, Eric, Jonathan, Stephen, Larry, Justin, Scott, Brandon, Benjamin, Samuel, Gregory,
      Patrick, Dennis, Tyler, Aaron, Wyatt, Dylan, Cody`),
    female:
      list(`Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, Lisa, Nancy,
      Betty, Margaret, Sandra, Ashley, Kimberly, Emily, Donna, Michelle, Carol, Amanda, Melissa, Deborah, Stephanie,
      Rebecca, Sharon, Laura, Cynthia, Kathleen, Amy, Angela, Brenda, Emma, Olivia, Hannah, Samantha, Katherine,
      Christine, Rachel, Heather, Megan, Abigail, Madison`),
    family:
      list(`Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas, Moore,
      Martin, Thompson, White, Clark, Lewis, Walker, Hall, Allen, Young, King, Wright, Hill, Scott, Green, Adams,
      Baker, Nelson, Carter, Mitchell, Roberts, Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris, Murphy,
      Cook, Rogers, Morgan, Cooper, Peterson, Reed, Bailey, Kelly, Howard, Ward, Cox, Richardson, Wood, Watson,
      Brooks, Bennett, Gray, Hughes, Price, Sanders, Myers, Long, Ross, Foster, Olsen, Schmidt, Larson, McCarthy,
      O'Brien, O'Connor, Sullivan`),
    weight: 30,
    languages: [['en', 100]],
  },
  black: {
    male: list(`DeShawn, Jamal, Darnell, Tyrone, Marcus, Andre, Terrence, Malik, Darius, Jerome, Reginald, Cedric,
      Kareem, Isaiah, Elijah, Jaylen, Xavier, Dominic, Trevon, Maurice, Curtis, Lamar, Calvin, Willie, Otis, Derrick,
      Jermaine, Quentin, Rashad, Jalen`),
    female:
      list(`Keisha, Tamika, Latoya, Shanice, Ebony, Aaliyah, Imani, Jasmine, Destiny, Tiana, Monique, Denise,
      Yolanda, Gloria, Tanisha, Kiara, Nia, Jada, Alexis, Brianna, Sierra, Dominique, Shantel, Precious, Angela,
      Regina, Lakisha, Janelle, Zora, Ayanna`),
    family: list(`Washington, Jefferson, Jackson, Robinson, Harris, Johnson, Williams, Brown, Davis, Thomas,
      Freeman, Banks, Coleman, Bryant, Alexander, Griffin, Hayes, Simmons, Jenkins, Patterson, Mosley, Gaines,
      Dixon, Battle, Pierce, Holmes, Wallace, Booker, Tate, Rivers, Bell, Ellis, Franklin, Hawkins, Lawson`),
    weight: 12,
    languages: [['en', 100]],
  },
  asian: {
    male: list(`Wei, Jian, Hao, Ming, Jun, Kenji, Hiroshi, Min-jun, Ji-ho, Sung, Arjun, Rahul, Vikram, Rajesh,
      Amit, Jose, Mark, Paolo, Rodel, Jerome, Kevin, Eric, Jason, Andrew, Ryan, Daniel`),
    female: list(`Mei, Xiu, Li, Yan, Hui, Yuki, Aiko, Ji-woo, Seo-yeon, Min-ji, Priya, Anjali, Deepa, Sunita,
      Kavya, Maricel, Rowena, Jocelyn, Cristina, Grace, Joy, Michelle, Emily, Jennifer, Cindy, Amy`),
    family:
      list(`Wang, Li, Zhang, Chen, Liu, Huang, Wong, Lee, Kim, Park, Choi, Tanaka, Yamamoto, Nakamura, Patel,
      Singh, Shah, Kumar, Gupta, Reddy, Santos, Reyes, Cruz, Bautista, Ocampo, Dela Cruz, Villanueva, Mendoza, Lim,
      Tan, Chang, Lin`),
    weight: 7,
    languages: [
      ['en', 75],
      ['zh', 10],
      ['tl', 8],
      ['pa', 7],
    ],
  },
  vietnamese: {
    male: list(`Minh, Tuan, Hung, Duc, Quang, Thanh, Long, Hoang, Khoa, Bao, Phuc, Nam, Vinh, Dung`),
    female: list(`Lan, Linh, Huong, Thao, Mai, Ngoc, Trang, Hoa, Phuong, Thu, Hanh, Anh, Vy, Yen`),
    family: list(`Nguyen, Tran, Le, Pham, Hoang, Phan, Vu, Dang, Bui, Do, Ho, Ngo, Duong, Ly, Truong`),
    weight: 4,
    languages: [
      ['vi', 50],
      ['en', 50],
    ],
  },
  hmong: {
    male: list(`Tou, Pao, Chue, Kou, Neng, Fue, Xeng, Yeng, Teng, Nhia, Cha, Shoua`),
    female: list(`Mai, Pa, Bao, Kia, Nou, Yer, Chia, Der, Houa, Maiv, Ka, Xee`),
    family: list(`Vang, Xiong, Yang, Lee, Thao, Moua, Her, Lor, Lo, Chang, Vue, Kue, Khang, Hang`),
    weight: 5,
    languages: [
      ['hmn', 45],
      ['en', 55],
    ],
  },
};

export const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  es: 'Spanish',
  vi: 'Vietnamese',
  zh: 'Chinese',
  tl: 'Tagalog',
  pa: 'Panjabi',
  hmn: 'Hmong',
};

/** Common nicknames (formal name → what some sources record). */
export const NICKNAMES: Record<string, string[]> = {
  Robert: ['Bob', 'Rob', 'Bobby'],
  William: ['Bill', 'Will', 'Billy'],
  Richard: ['Rick', 'Dick', 'Rich'],
  James: ['Jim', 'Jimmy', 'Jamie'],
  John: ['Jack', 'Johnny'],
  Michael: ['Mike', 'Mikey'],
  Joseph: ['Joe', 'Joey'],
  Thomas: ['Tom', 'Tommy'],
  Charles: ['Charlie', 'Chuck'],
  Christopher: ['Chris'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Anthony: ['Tony'],
  Steven: ['Steve'],
  Andrew: ['Andy', 'Drew'],
  Joshua: ['Josh'],
  Kenneth: ['Ken', 'Kenny'],
  Timothy: ['Tim'],
  Ronald: ['Ron', 'Ronnie'],
  Jeffrey: ['Jeff'],
  Nicholas: ['Nick'],
  Jonathan: ['Jon'],
  Stephen: ['Steve'],
  Lawrence: ['Larry'],
  Benjamin: ['Ben'],
  Samuel: ['Sam'],
  Gregory: ['Greg'],
  Patrick: ['Pat'],
  Elizabeth: ['Liz', 'Beth', 'Betsy', 'Lizzie'],
  Patricia: ['Patty', 'Trish', 'Pat'],
  Jennifer: ['Jen', 'Jenny'],
  Barbara: ['Barb'],
  Susan: ['Sue', 'Susie'],
  Jessica: ['Jess'],
  Margaret: ['Maggie', 'Peggy', 'Meg'],
  Kimberly: ['Kim'],
  Deborah: ['Debbie', 'Deb'],
  Rebecca: ['Becky'],
  Cynthia: ['Cindy'],
  Kathleen: ['Kathy', 'Kate'],
  Katherine: ['Kate', 'Katie', 'Kathy'],
  Samantha: ['Sam'],
  Christine: ['Chris', 'Tina'],
  Abigail: ['Abby'],
  Stephanie: ['Steph'],
  Amanda: ['Mandy'],
  Francisco: ['Paco', 'Pancho', 'Frank'],
  José: ['Pepe', 'Joe'],
  Jesús: ['Chuy'],
  Guadalupe: ['Lupe'],
  Alejandro: ['Alex'],
  Alejandra: ['Alex'],
  Roberto: ['Beto'],
  Eduardo: ['Lalo'],
  Ricardo: ['Rick'],
  Guillermo: ['Memo', 'Willy'],
  Josefina: ['Josie', 'Fina'],
  Gabriela: ['Gaby'],
  Margarita: ['Maggie'],
  Dolores: ['Lola'],
  Beatriz: ['Betty'],
  Antonio: ['Tony', 'Toño'],
  Manuel: ['Manny'],
  Rafael: ['Rafa'],
  Natalia: ['Naty'],
  Valeria: ['Vale'],
  Isabella: ['Bella'],
  Dominic: ['Dom'],
  Jermaine: ['Maine'],
  Reginald: ['Reggie'],
  Kareem: ['Reem'],
  Terrence: ['Terry'],
  Maurice: ['Mo'],
  Monique: ['Mo'],
  Xavier: ['Zay'],
  Isaiah: ['Zay'],
};

/** Similar given names used for twins, so a careless matcher links them. */
export const TWIN_NAME_PAIRS: readonly (readonly [string, string, 'male' | 'female' | 'mixed'])[] = [
  ['Daniel', 'David', 'male'],
  ['Mario', 'María', 'mixed'],
  ['Jaylen', 'Jalen', 'male'],
  ['Ana', 'Anna', 'female'],
  ['Adrián', 'Adriana', 'mixed'],
  ['Emily', 'Emma', 'female'],
  ['Mateo', 'Matías', 'male'],
  ['Aaliyah', 'Aliyah', 'female'],
  ['Kevin', 'Kevon', 'male'],
  ['Linh', 'Lan', 'female'],
];

/** Common full names given to unrelated people (namesakes) to test that a matcher does not link them. */
export const NAMESAKES: readonly (readonly [given: string, family: string, gender: 'male' | 'female'])[] = [
  ['María', 'García', 'female'],
  ['José', 'Hernández', 'male'],
  ['Michael', 'Johnson', 'male'],
  ['Jennifer', 'Smith', 'female'],
  ['Mai', 'Xiong', 'female'],
  ['James', 'Williams', 'male'],
];
